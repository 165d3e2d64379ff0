# calico-ipam step: wait-for-host
# Blocks until cloud-init has installed the tools, so later steps never race it. Runs again after a
# stop/start (an instanceType change): cloud-init then only re-runs its per-boot stages.
status=0
# 30 minutes: a normal install takes about 2. The install bounds each call on its own (their sum is
# longer), so this is the bound on the whole: a hung or crawling cloud-init still ends here.
bounded 1800 "cloud-init" cloud-init status --wait > /dev/null || status=$?
# Exit 2 means "done, with recoverable warnings" (e.g. a deprecated key); only 1 is a failure.
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "calico-ipam: $STEP: cloud-init failed on the host (exit $status); the end of its log:" >&2
  as_root tail -n 40 "$ROOT/var/log/cloud-init-output.log" >&2 || true
  exit 1
fi
for tool in docker containerlab kind kubectl calicoctl jq; do
  command -v "$tool" > /dev/null || { echo "calico-ipam: $STEP: cloud-init finished but $tool is missing" >&2; exit 1; }
done
booted=$(($(date +%s) - $(seconds_since_boot)))
# cloud-init's own record of when its first stage started (epoch seconds, fractional).
cloud_init_start=$(jq -r '.v1["init-local"].start // .v1.init.start // empty' "$ROOT/run/cloud-init/status.json" 2> /dev/null) || cloud_init_start=""
if [ -n "$cloud_init_start" ]; then
  report_timing cloudInitStartSeconds "$((${cloud_init_start%.*} - booted))"
fi
report_recorded_stages
finished=$(stat -c %Y "$ROOT/var/lib/cloud/instance/boot-finished")
report_timing hostReadySeconds "$((finished - booted))"
