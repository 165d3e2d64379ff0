# calico-ipam step: destroy-cluster
# Expects LAB_NAME. Must succeed when the lab is already gone, so `pulumi destroy` never sticks.
LAB_DIR="$HOME/calico-ipam/$LAB_NAME"
wait_until 180 "the Docker daemon" docker_answers
if [ -f "$LAB_DIR/$LAB_NAME.clab.yaml" ]; then
  bounded 600 "containerlab destroy" as_root containerlab destroy --topo "$LAB_DIR/$LAB_NAME.clab.yaml" --cleanup || true
fi
# containerlab leaves the kind cluster behind if its own files were lost; kind knows it by name.
# The list is read whole: with kind's list piped into `grep -q` under pipefail, kind dies of SIGPIPE when
# grep stops at the lab's name, and the lab's cluster is taken for absent whenever it is not last.
lab_cluster_exists() {
  local clusters
  clusters=$(bounded 60 "kind get clusters" as_root kind get clusters) || return 2
  grep -qxF -- "$LAB_NAME" <<< "$clusters"
}
status=0
lab_cluster_exists || status=$?
if [ "$status" -eq 2 ]; then
  echo "calico-ipam: $STEP: kind could not list its clusters; cannot tell whether $LAB_NAME is gone" >&2
  exit 1
fi
if [ "$status" -eq 0 ]; then
  bounded 600 "kind delete cluster" as_root kind delete cluster --name "$LAB_NAME"
fi
# The user's default kubeconfig goes too, if it is this lab's.
if [ -f "$LAB_DIR/kubeconfig" ] && cmp -s "$LAB_DIR/kubeconfig" "$HOME/.kube/config"; then
  rm -f "$HOME/.kube/config"
fi
# containerlab wrote its lab folder there as root.
as_root rm -rf "$LAB_DIR"
