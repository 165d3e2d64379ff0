# Release downloads, each checked against the checksum file its publisher ships; a mismatch stops the
# step. Prepended (after common.sh) to the steps that install release binaries: install-tools at
# first boot, match-host-tools after a version change. Downloads land in $tmp, gone at exit with any
# download still running.
tmp=$(mktemp -d)
downloads=()
cleanup() {
  if [ "${#downloads[@]}" -gt 0 ]; then kill "${downloads[@]}" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# curl's plain --retry skips DNS failures and refused connections; --retry-all-errors does not.
fetch() {
  bounded 600 "the download of $1" \
    curl -fsSL --retry 5 --retry-delay 2 --retry-all-errors --connect-timeout 10 -o "$2" "$1"
}

# sha256_listed SUMS NAME: the checksum SUMS gives for NAME. SUMS is either `sha256sum` output
# ("<hash>  <name>" lines) or one bare hash.
sha256_listed() {
  awk -v name="$2" 'NF == 1 { print $1; exit } $2 == name || $2 == "*" name { print $1; exit }' "$1"
}

# verify FILE SUMS NAME: fails unless FILE's sha256 is the one SUMS gives for NAME.
verify() {
  local expected actual
  expected=$(sha256_listed "$2" "$3")
  actual=$(sha256sum "$1")
  actual=${actual%% *}
  if [ -z "$expected" ]; then
    echo "calico-ipam: $STEP: $3 is not listed in its publisher's checksum file; not installing it" >&2
    return 1
  fi
  if [ "$actual" != "$expected" ]; then
    echo "calico-ipam: $STEP: $3 does not match its published sha256 (expected $expected, got $actual); the download was altered or cut short; not installing it" >&2
    return 1
  fi
}

# download NAME URL SUMS_URL: fetches URL and its checksum file into $tmp, verified, in the background.
download() {
  local name=$1 url=$2 sums_url=$3
  (
    fetch "$url" "$tmp/$name"
    fetch "$sums_url" "$tmp/$name.sums"
    verify "$tmp/$name" "$tmp/$name.sums" "${url##*/}"
  ) &
  downloads+=("$!")
}

wait_for_downloads() {
  local pid failed=0
  for pid in "${downloads[@]}"; do
    wait "$pid" || failed=$((failed + 1))
  done
  downloads=()
  if [ "$failed" -gt 0 ]; then
    echo "calico-ipam: $STEP: $failed download(s) failed (see above); the install stops here" >&2
    return 1
  fi
}

# release_of TOOL VERSION: sets url and sums_url, where TOOL's linux/amd64 binary and its publisher's
# checksum file are, for the tools whose version follows the stack (kubectl, calicoctl).
release_of() {
  case $1 in
    kubectl)
      url="https://dl.k8s.io/release/$2/bin/linux/amd64/kubectl"
      sums_url="$url.sha256" ;;
    # Calico publishes one SHA256SUMS per release, `sha256sum` output over every asset.
    calicoctl)
      url="https://github.com/projectcalico/calico/releases/download/$2/calicoctl-linux-amd64"
      sums_url="${url%/*}/SHA256SUMS" ;;
    *)
      echo "calico-ipam: $STEP: no release known for $1" >&2
      return 1 ;;
  esac
}
