// Everything the lab host downloads, pinned by version and checksum or digest, with where each pin
// comes from. Two `pulumi up`s a month apart build the same host; kubectl and calicoctl follow the
// stack's kubernetesVersion and calicoVersion instead, and are checked against their publishers'
// checksum files at download time.

/**
 * Docker's apt packages for Ubuntu 24.04 (noble), from Docker's own repository (it keeps every old
 * version, so the pins stay installable).
 * - docker-ce / docker-ce-cli 28.5.2: the Docker Engine 28.5.2 release notes (2025-11-05) list the runc
 *   fixes for CVE-2025-31133, CVE-2025-52565 and CVE-2025-52881 (runc v1.3.3).
 * - containerd.io 1.7.29: on Docker's .deb packages runc ships inside containerd.io; containerd
 *   v1.7.29 builds runc v1.3.3 (containerd v1.7.29 script/setup/runc-version; release notes:
 *   "Update runc binary to v1.3.3"). docker-ce 28.x itself only asks for containerd.io >= 1.7.27.
 */
export const DOCKER_PACKAGES = {
  dockerCe: "5:28.5.2-1~ubuntu.24.04~noble",
  containerdIo: "1.7.29-1~ubuntu.24.04~noble",
  /** The repository's signing key, as Docker's Ubuntu install guide gives its fingerprint. */
  signingKeyFingerprint: "9DC858229FC7DD38854AE2D88D81803C0EBFCD88",
} as const;

/** Release binaries, each checked against the checksum file its release publishes. */
export const HOST_TOOLS = {
  /** srl-labs/containerlab release: checksums.txt lists the .deb. Embeds kind v0.31.0's library. */
  containerlab: "v0.79.0",
  /** kubernetes-sigs/kind release: each binary has a `<name>.sha256sum` beside it. */
  kind: "v0.31.0",
} as const;

/**
 * kindest/node images published with kind v0.31.0 (the kind library containerlab v0.79.0 embeds),
 * to be used by digest as kind's release notes ask.
 * - v1.35.0: kind v0.31.0's own default, pkg/apis/config/defaults/image.go at tag v0.31.0.
 * - the others: the "New images" list of the kind v0.31.0 release notes (GitHub release page). That page
 *   could not be read from here; these digests are the ones quoted, identically, by several
 *   independent projects that cite those release notes. Verify with
 *   `docker buildx imagetools inspect kindest/node:<tag>` before adding another.
 */
export const KIND_NODE_IMAGES: Readonly<Record<string, string>> = {
  "v1.35.0": "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f",
  "v1.34.3": "kindest/node:v1.34.3@sha256:08497ee19eace7b4b5348db5c6a1591d7752b164530a36f855cb0f2bdcbadd48",
  "v1.33.7": "kindest/node:v1.33.7@sha256:d26ef333bdb2cbe9862a0f7c3803ecc7b4303d8cea8e814b481b09949d353040",
  "v1.32.11": "kindest/node:v1.32.11@sha256:5fc52d52a7b9574015299724bd68f183702956aa4a2116ae75a63cb574b35af8",
  "v1.31.14": "kindest/node:v1.31.14@sha256:6f86cf509dbb42767b6e79debc3f2c32e4ee01386f0489b3b2be24b0a55aac2b",
};

/**
 * The oldest containerlab a lab on the user's own machine (target local) deploys with: v0.73.0 is the
 * first release whose go.mod requires sigs.k8s.io/kind v0.31.0 (v0.72.0 and every release before it
 * back to v0.65.0 require v0.27.0; srl-labs/containerlab commit ae17f8e47, "go.mod: bump trivial
 * dependencies (#2980)"). kind supports a node image only with the kind release that published it, and
 * other releases at best effort (kind docs, design/node-image), so KIND_NODE_IMAGES need this one.
 */
export const OLDEST_LOCAL_CONTAINERLAB = "v0.73.0";

/** Is release `version` ("vX.Y.Z", or "X.Y.Z") `oldest` or newer? */
export function releaseAtLeast(version: string, oldest: string): boolean {
  const parts = (v: string): number[] => v.replace(/^v/, "").split(".").map(Number);
  const [have, need] = [parts(version), parts(oldest)];
  const differs = [0, 1, 2].find((i) => have[i] !== need[i]);
  return differs === undefined || have[differs] > need[differs];
}

/** The Kubernetes version a new lab runs: kind v0.31.0's default, inside Calico v3.30's tested 1.31-1.35. */
export const DEFAULT_KUBERNETES_VERSION = "v1.35.0";

/**
 * The pull-through registry on the lab host that serves quay.io's images (the Tigera operator and
 * every Calico image) to the kind nodes, so each image crosses the internet once per host.
 * registry:2.8.3 (distribution) in proxy mode; the digest is the multi-arch index of
 * docker.io/library/registry:2.8.3, as pinned identically by several independent projects.
 */
export const REGISTRY_MIRROR = {
  image: "registry:2.8.3@sha256:a3d8aaa63ed8681a604f1dea0aa03f100d5895b6a58ace528858a7b332415373",
  /** The upstream it mirrors: quay.io holds quay.io/tigera/operator and quay.io/calico/*. */
  upstream: "quay.io",
  /** Container name; the kind nodes reach it by this name on docker's `kind` network. */
  name: "calico-ipam-mirror-quay",
  /** Published on the host's loopback only, for the warm-up. */
  hostPort: 5001,
} as const;

/** Ubuntu LTS images the host boots from; Canonical publishes them under this AWS account. */
export const UBUNTU_AMI = {
  owner: "099720109477",
  namePattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
} as const;

/**
 * The oldest Calico the lab can install and wait for: since v3.30.0 the CRDs ship apart, in
 * manifests/operator-crds.yaml (tigera-operator.yaml holds none), and the operator reports the
 * `ippools` TigeraStatus the readiness wait needs.
 */
export const OLDEST_CALICO_VERSION = "v3.30.0";

/** Where the Calico release keeps the operator manifests for a version (a git tag). */
export function calicoManifestUrl(calicoVersion: string, file: "operator-crds.yaml" | "tigera-operator.yaml"): string {
  return `https://raw.githubusercontent.com/projectcalico/calico/${calicoVersion}/manifests/${file}`;
}
