# calico-ipam step: install-tools
# Run once by cloud-init on the lab host, as root. Every version is pinned by the program
# (lib/core/versions.ts); every download is checked against the checksum its publisher ships, and a
# mismatch stops the install (downloads.sh, prepended). Expects DOCKER_VERSION, CONTAINERD_VERSION,
# DOCKER_KEY_FINGERPRINT, CONTAINERLAB_VERSION, KIND_VERSION, KUBECTL_VERSION, CALICOCTL_VERSION, and
# PREPULL_SCRIPT (written by cloud-init).
export DEBIAN_FRONTEND=noninteractive
record_stage installStartSeconds

# Ubuntu's apt-daily timers and unattended-upgrades also start at first boot and hold apt's locks
# for minutes. The lab host is rebuilt rather than upgraded, so they are held off until the next boot.
# Not fatal: if they cannot be stopped, the lock waits below still keep the install correct.
bounded 120 "stopping apt-daily and unattended-upgrades" \
  systemctl mask --runtime --now apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service ||
  echo "calico-ipam: $STEP: apt-daily could not be held off; apt will wait for its locks instead" >&2

# The instance can boot before its public address and route work: wait, bounded, until DNS answers
# and HTTPS connects for every host the install downloads from.
DOWNLOAD_HOSTS=(download.docker.com github.com dl.k8s.io)
network_problem=""
network_ready() {
  local host
  for host in "${DOWNLOAD_HOSTS[@]}"; do
    if ! getent hosts "$host" >/dev/null; then
      network_problem="DNS does not resolve $host"
      return 1
    fi
    # Any HTTP answer will do: this checks the route, not the page.
    if ! curl -sS -o /dev/null --connect-timeout 5 --max-time 15 "https://$host/" 2>/dev/null; then
      network_problem="no HTTPS connection to $host"
      return 1
    fi
  done
}
if ! wait_until 300 "the network (DNS and HTTPS to ${DOWNLOAD_HOSTS[*]})" network_ready; then
  echo "calico-ipam: $STEP: last problem: $network_problem" >&2
  exit 1
fi

# The tools download in parallel with Docker's install below.
clab_deb="containerlab_${CONTAINERLAB_VERSION#v}_linux_amd64.deb"
clab_url="https://github.com/srl-labs/containerlab/releases/download/$CONTAINERLAB_VERSION"
download "$clab_deb" "$clab_url/$clab_deb" "$clab_url/checksums.txt"
kind_url="https://github.com/kubernetes-sigs/kind/releases/download/$KIND_VERSION/kind-linux-amd64"
download kind "$kind_url" "$kind_url.sha256sum"
release_of kubectl "$KUBECTL_VERSION"
download kubectl "$url" "$sums_url"
release_of calicoctl "$CALICOCTL_VERSION"
download calicoctl "$url" "$sums_url"

apt_get() {
  bounded 900 "apt-get $1" apt-get -o DPkg::Lock::Timeout=300 "$@"
}

# One `apt-get update`: fails (for a retry) only while another apt holds the lists lock; any other
# failure stops the install.
apt_update_once() {
  local log="$tmp/apt-update.log" status=0
  apt_get update -q > "$log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    cat "$log"
    return 0
  fi
  cat "$log" >&2
  if grep -q "Could not get lock" "$log"; then return 1; fi
  echo "calico-ipam: $STEP: apt-get update failed (exit $status)" >&2
  exit 1
}

# `apt-get update` takes /var/lib/apt/lists/lock, which DPkg::Lock::Timeout does not cover.
apt_update() {
  wait_until 600 "apt's package lists lock" apt_update_once
}

# in_docker_repo PACKAGE VERSION: the pinned version is offered (read whole, never through a pipe
# that could stop apt-cache early: apt-cache dies of SIGPIPE and pipefail would report it).
in_docker_repo() {
  local listing
  listing=$(apt-cache madison "$1")
  if ! grep -qF -- "| $2 |" <<< "$listing"; then
    echo "calico-ipam: $STEP: $1 $2 is not in Docker's repository for $codename; it offers:" >&2
    head -n 5 <<< "$listing" >&2
    return 1
  fi
}

# Docker from Docker's own repository: it keeps every old version, so the pins stay installable.
install -m 0755 -d "$ROOT/etc/apt/keyrings"
fetch https://download.docker.com/linux/ubuntu/gpg "$tmp/docker.asc"
# apt trusts whatever key this is for every Docker package: it must be Docker's, by fingerprint.
key_listing=$(gpg --show-keys --with-colons "$tmp/docker.asc")
if ! grep -q "^fpr:::::::::$DOCKER_KEY_FINGERPRINT:" <<< "$key_listing"; then
  echo "calico-ipam: $STEP: the key at download.docker.com is not Docker's (fingerprint $DOCKER_KEY_FINGERPRINT); not trusting it" >&2
  exit 1
fi
install -m 0644 "$tmp/docker.asc" "$ROOT/etc/apt/keyrings/docker.asc"
# The host's own release file, read for its codename only.
# shellcheck source=/dev/null
codename=$(. "$ROOT/etc/os-release" && echo "$VERSION_CODENAME")
echo "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu $codename stable" \
  > "$ROOT/etc/apt/sources.list.d/docker.list"
apt_update
in_docker_repo docker-ce "$DOCKER_VERSION"
in_docker_repo containerd.io "$CONTAINERD_VERSION"
# runc ships inside containerd.io: pinned with Docker. No Recommends (buildx, compose, rootless
# extras): the lab needs none of them, and they would come in unpinned.
apt_get install -y -q --no-install-recommends \
  "docker-ce=$DOCKER_VERSION" "docker-ce-cli=$DOCKER_VERSION" "containerd.io=$CONTAINERD_VERSION" jq
usermod -aG docker ubuntu
wait_until 120 "the Docker daemon" docker_answers

# Images download from here on in their own unit, beside the rest of the install and the cluster's creation.
bounded 60 "starting the image pre-pull" \
  systemd-run --unit=calico-ipam-prepull --collect --no-block "$PREPULL_SCRIPT"

wait_for_downloads
apt_get install -y -q "$tmp/$clab_deb"
install -m 0755 "$tmp/kind" "$ROOT/usr/local/bin/kind"
install -m 0755 "$tmp/kubectl" "$ROOT/usr/local/bin/kubectl"
install -m 0755 "$tmp/calicoctl" "$ROOT/usr/local/bin/calicoctl"
record_stage toolsInstalledSeconds
