# calico-ipam step: install-tools
# Run once by cloud-init on the lab host. Every version is pinned by the program (lib/core/versions.ts);
# downloads are checked against the checksums their publishers ship.
# Expects DOCKER_VERSION, CONTAINERLAB_VERSION, KIND_VERSION, KUBECTL_VERSION, CALICOCTL_VERSION.
export DEBIAN_FRONTEND=noninteractive
# On a fresh boot, unattended-upgrades may hold the dpkg lock for a while: wait for it, not fail.
apt_get() {
  apt-get -o DPkg::Lock::Timeout=600 "$@"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {
  curl -fsSL --retry 5 --retry-delay 3 -o "$2" "$1"
}

# Docker from Docker's own repository: it keeps every old version, so the pin stays installable.
install -m 0755 -d /etc/apt/keyrings
fetch https://download.docker.com/linux/ubuntu/gpg /etc/apt/keyrings/docker.asc
chmod a+r /etc/apt/keyrings/docker.asc
# The host's own release file, read for its codename only.
# shellcheck source=/dev/null
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
echo "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu $codename stable" \
  > /etc/apt/sources.list.d/docker.list
apt_get update -q
if ! apt-cache madison docker-ce | grep -qF "$DOCKER_VERSION"; then
  echo "calico-ipam: docker-ce $DOCKER_VERSION is not in Docker's repository for $codename; available:" >&2
  apt-cache madison docker-ce | head -n 5 >&2
  exit 1
fi
apt_get install -y -q "docker-ce=$DOCKER_VERSION" "docker-ce-cli=$DOCKER_VERSION" containerd.io
usermod -aG docker ubuntu

clab_deb="containerlab_${CONTAINERLAB_VERSION#v}_linux_amd64.deb"
clab_url="https://github.com/srl-labs/containerlab/releases/download/$CONTAINERLAB_VERSION"
fetch "$clab_url/$clab_deb" "$tmp/$clab_deb"
fetch "$clab_url/checksums.txt" "$tmp/clab.sha256"
(cd "$tmp" && grep " $clab_deb\$" clab.sha256 | sha256sum -c -)
apt_get install -y -q "$tmp/$clab_deb"

kind_url="https://github.com/kubernetes-sigs/kind/releases/download/$KIND_VERSION/kind-linux-amd64"
fetch "$kind_url" "$tmp/kind"
fetch "$kind_url.sha256sum" "$tmp/kind.sha256"
echo "$(cut -d' ' -f1 "$tmp/kind.sha256")  $tmp/kind" | sha256sum -c -
install -m 0755 "$tmp/kind" /usr/local/bin/kind

kubectl_url="https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/amd64/kubectl"
fetch "$kubectl_url" "$tmp/kubectl"
fetch "$kubectl_url.sha256" "$tmp/kubectl.sha256"
echo "$(cat "$tmp/kubectl.sha256")  $tmp/kubectl" | sha256sum -c -
install -m 0755 "$tmp/kubectl" /usr/local/bin/kubectl

fetch "https://github.com/projectcalico/calico/releases/download/$CALICOCTL_VERSION/calicoctl-linux-amd64" "$tmp/calicoctl"
install -m 0755 "$tmp/calicoctl" /usr/local/bin/calicoctl
