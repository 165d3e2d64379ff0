# calico-ipam step: read-kubeconfig
# Expects LAB_NAME. Prints the cluster's admin kubeconfig (the program keeps it secret).
# Rendered without common.sh, and kept small and unchanging on purpose: this step's stdout is the
# kubeconfig every object in the cluster hangs on, and any change to the step's text makes that stdout
# unknown in the next preview, so the whole cluster would show as changing. Root as in common.sh's
# as_root (the cluster is root's); bounded, since pulumi-command never bounds a remote script.
set -euo pipefail
sudo_n=()
if [ "$(id -u)" -ne 0 ]; then sudo_n=(sudo -n); fi
status=0
${sudo_n[@]+"${sudo_n[@]}"} timeout --kill-after=15 60 kind get kubeconfig --name "$LAB_NAME" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "calico-ipam: $STEP: kind get kubeconfig did not finish within 60s" >&2
fi
exit "$status"
