# Shared by every calico-ipam step script; prepended, never run alone.
set -euo pipefail

# containerlab and kind need root (or the clab_admins group); over SSH on the lab host `sudo -n`
# works, and on a user's own machine we must fail rather than hang on a password prompt.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "calico-ipam: '$1' needs root: run as root or give this user passwordless sudo" >&2
    return 1
  fi
}

# One line a step prints so the program can report where the minutes go.
report_timing() {
  echo "calico-ipam timing $1 $2"
}
