# Shared by every calico-ipam step script; prepended, never run alone. STEP names the step.
# shellcheck disable=SC2317 # helpers a step does not use, or calls through bounded/wait_until, look unreachable
set -euo pipefail

# Where the machine's own files are: empty on a real machine. The sandbox tests point it at a
# scratch folder, so they run this very text without touching /etc or /usr.
ROOT="${CALICO_IPAM_TEST_ROOT:-}"

# containerlab, kind and docker run as root: over SSH on the lab host `sudo -n` works, and on a user's
# own machine we must fail rather than hang on a password prompt. `sudo -n` finds the tools on sudo's
# secure_path, not the user's PATH (lib/host/local-host.ts probes them the same way). containerlab's
# clab_admins group is not used: it lets only containerlab run as root, and kind and docker would
# still need root or the docker group, which is root in all but name.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "calico-ipam: $STEP: '$1' needs root: run as root or give this user passwordless sudo" >&2
    return 1
  fi
}

# bounded SECONDS WHAT [as_root] COMMAND...: runs COMMAND with a time limit and, when the limit
# passes, says which step, what and the limit. pulumi-command v1.2.1 bounds only the SSH dial, never
# the script it runs, so every call that can hang is bounded here.
bounded() {
  local seconds=$1 what=$2 status=0
  shift 2
  if [ "$1" = as_root ]; then
    shift
    as_root timeout --kill-after=15 "$seconds" "$@" || status=$?
  else
    timeout --kill-after=15 "$seconds" "$@" || status=$?
  fi
  # 124: the limit passed and TERM ended it; 137: it ignored TERM and was killed.
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "calico-ipam: $STEP: $what did not finish within ${seconds}s" >&2
  fi
  return "$status"
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; fails naming WHAT and the
# bound once SECONDS of real time, or of pauses between tries, have passed.
wait_until() {
  local seconds=$1 what=$2 paused=0 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ] || [ "$paused" -ge "$seconds" ]; then
      echo "calico-ipam: $STEP: gave up waiting for $what after ${seconds}s" >&2
      return 1
    fi
    sleep 2
    paused=$((paused + 2))
  done
}

# One line a step prints so the program can report where the minutes go.
report_timing() {
  echo "calico-ipam timing $1 $2"
}

# Stages of the host's first boot, in seconds since the kernel started (one clock for all of them).
TIMINGS_FILE="$ROOT/var/lib/calico-ipam/timings"

seconds_since_boot() {
  local up
  read -r up _ < "$ROOT/proc/uptime"
  echo "${up%.*}"
}

# Remembers that a first-boot stage is done, for the steps that report later.
record_stage() {
  mkdir -p "$(dirname "$TIMINGS_FILE")"
  echo "$1 $(seconds_since_boot)" >> "$TIMINGS_FILE"
}

report_recorded_stages() {
  local key value
  [ -f "$TIMINGS_FILE" ] || return 0
  while read -r key value; do
    report_timing "$key" "$value"
  done < "$TIMINGS_FILE"
}

# Docker answers: after a stop/start (an instanceType change) the daemon may still be starting.
docker_answers() {
  as_root timeout 20 docker info > /dev/null 2>&1
}
