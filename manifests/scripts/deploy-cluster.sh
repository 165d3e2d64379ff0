# calico-ipam step: deploy-cluster
# Expects LAB_NAME, TOPOLOGY (containerlab topology), KIND_CONFIG (kind Cluster config),
# USER_KUBECONFIG (`default`: also make the cluster this user's default, as on the lab's own host;
# `lab-only`: keep the user's own ~/.kube/config), and the registry mirror's MIRROR_NAME,
# MIRROR_UPSTREAM and MIRROR_HOSTS_TOML.
LAB_DIR="$HOME/calico-ipam/$LAB_NAME"
mkdir -p "$LAB_DIR"
printf '%s' "$TOPOLOGY" > "$LAB_DIR/$LAB_NAME.clab.yaml"
printf '%s' "$KIND_CONFIG" > "$LAB_DIR/$LAB_NAME.kind.yaml"

# After a stop/start (an instanceType change) the daemon may still be starting.
wait_until 180 "the Docker daemon" docker_answers

started=$(date +%s)
# --reconfigure: a half-created lab from an interrupted run is replaced instead of failing the deploy.
bounded 1200 "containerlab deploy" as_root containerlab deploy --topo "$LAB_DIR/$LAB_NAME.clab.yaml" --reconfigure
# Saved for keep-cluster, which runs instead of this step when only the script changed.
report_timing clusterCreateSeconds "$(($(date +%s) - started))" | tee "$LAB_DIR/timings"

# Points every node's containerd at the host's registry mirror, when the host runs one (the lab host
# does; a user's own machine does not). containerd reads hosts.toml at each pull and falls back to
# the upstream when the mirror fails, so this can only save time.
use_registry_mirror() {
  local nodes=() node networks
  as_root docker container inspect "$MIRROR_NAME" > /dev/null 2>&1 || return 0
  networks=$(as_root docker inspect -f '{{json .NetworkSettings.Networks}}' "$MIRROR_NAME") || return 1
  if [[ $networks != *'"kind"'* ]]; then
    bounded 60 "connecting the mirror to kind's network" as_root docker network connect kind "$MIRROR_NAME" || return 1
  fi
  mapfile -t nodes < <(bounded 60 "kind get nodes" as_root kind get nodes --name "$LAB_NAME")
  [ "${#nodes[@]}" -gt 0 ] || return 1
  for node in "${nodes[@]}"; do
    # shellcheck disable=SC2016 # $1 and $2 are expanded by the node's sh, from the arguments after it
    bounded 60 "writing the mirror config on $node" as_root docker exec "$node" sh -c \
      'mkdir -p "$1" && printf "%s" "$2" > "$1/hosts.toml"' sh "/etc/containerd/certs.d/$MIRROR_UPSTREAM" "$MIRROR_HOSTS_TOML" ||
      return 1
  done
  echo "calico-ipam: $STEP: ${#nodes[@]} nodes pull $MIRROR_UPSTREAM images through the host's mirror"
}
use_registry_mirror ||
  echo "calico-ipam: $STEP: the registry mirror could not be set up; the nodes pull from $MIRROR_UPSTREAM directly" >&2

# The lab's hand commands (kubectl get nodes, calicoctl ipam show) as this user, not root: kind wrote
# only root's kubeconfig. calicoctl v3.30 defaults to the kubernetes datastore and ~/.kube/config
# (libcalico-go/lib/apiconfig/load.go, applyConfigDefaults), so the kubeconfig is all it needs.
kubeconfig="$LAB_DIR/kubeconfig"
(
  umask 077
  bounded 60 "kind get kubeconfig" as_root kind get kubeconfig --name "$LAB_NAME" > "$kubeconfig"
)
# kind names the server by the address it listens on; 0.0.0.0 is no address to dial, nor in the certificate.
sed -i 's#server: https://0\.0\.0\.0:#server: https://127.0.0.1:#' "$kubeconfig"
if [ "$USER_KUBECONFIG" = default ]; then
  mkdir -p "$HOME/.kube"
  install -m 0600 "$kubeconfig" "$HOME/.kube/config"
fi

# The first-boot stages the host has finished by now (none on a user's own machine).
report_recorded_stages
