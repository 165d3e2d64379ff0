# calico-ipam step: destroy-cluster
# Expects LAB_NAME. Must succeed when the lab is already gone, so `pulumi destroy` never sticks.
LAB_DIR="$HOME/calico-ipam/$LAB_NAME"
if [ -f "$LAB_DIR/$LAB_NAME.clab.yaml" ]; then
  as_root containerlab destroy --topo "$LAB_DIR/$LAB_NAME.clab.yaml" --cleanup || true
fi
# containerlab leaves the kind cluster behind if its own files were lost; kind knows it by name.
if as_root kind get clusters 2>/dev/null | grep -qx "$LAB_NAME"; then
  as_root kind delete cluster --name "$LAB_NAME"
fi
# containerlab wrote its lab folder there as root.
as_root rm -rf "$LAB_DIR"
