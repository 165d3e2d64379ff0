# calico-ipam step: deploy-cluster
# Expects LAB_NAME, TOPOLOGY (containerlab topology) and KIND_CONFIG (kind Cluster config).
LAB_DIR="$HOME/calico-ipam/$LAB_NAME"
mkdir -p "$LAB_DIR"
printf '%s' "$TOPOLOGY" > "$LAB_DIR/$LAB_NAME.clab.yaml"
printf '%s' "$KIND_CONFIG" > "$LAB_DIR/$LAB_NAME.kind.yaml"
started=$(date +%s)
# --reconfigure: a half-created lab from an interrupted run is replaced instead of failing the deploy.
as_root containerlab deploy --topo "$LAB_DIR/$LAB_NAME.clab.yaml" --reconfigure
report_timing clusterCreateSeconds "$(($(date +%s) - started))"
