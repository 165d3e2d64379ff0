# calico-ipam step: keep-cluster
# Expects LAB_NAME. Runs instead of deploy-cluster when only the deploy script changed: the running
# cluster is kept, and the timings the deploy reported are printed again, so the timings output keeps them.
LAB_DIR="$HOME/calico-ipam/$LAB_NAME"
cat "$LAB_DIR/timings" 2>/dev/null || true
report_recorded_stages
echo "calico-ipam: $STEP: the deploy script changed; the running cluster is kept"
