# calico-ipam step: wait-for-host
# Blocks until cloud-init has installed the tools, so later steps never race it.
status=0
cloud-init status --wait >/dev/null || status=$?
# Exit 2 means "done, with recoverable warnings" (e.g. a deprecated key); only 1 is a failure.
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "calico-ipam: cloud-init failed on the host (exit $status); the end of its log:" >&2
  sudo tail -n 40 /var/log/cloud-init-output.log >&2 || true
  exit 1
fi
for tool in docker containerlab kind kubectl calicoctl jq; do
  command -v "$tool" >/dev/null || { echo "calico-ipam: cloud-init finished but $tool is missing" >&2; exit 1; }
done
booted=$(date -d "$(uptime -s)" +%s)
finished=$(stat -c %Y /var/lib/cloud/instance/boot-finished)
report_timing hostReadySeconds "$((finished - booted))"
