// Tool versions installed on the lab host. Pinned so that two `pulumi up`s a month apart build the
// same host; kubectl and calicoctl follow the stack's kubernetesVersion and calicoVersion instead.
export const HOST_TOOLS = {
  /** docker-ce package version in Docker's apt repository for Ubuntu 24.04 (noble). */
  docker: "5:28.5.1-1~ubuntu.24.04~noble",
  containerlab: "v0.79.0",
  kind: "v0.31.0",
} as const;

/** Ubuntu LTS images the host boots from; Canonical publishes them under this AWS account. */
export const UBUNTU_AMI = {
  owner: "099720109477",
  namePattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
} as const;

/** Where the Calico release keeps the operator manifests for a version (a git tag). */
export function calicoManifestUrl(calicoVersion: string, file: "operator-crds.yaml" | "tigera-operator.yaml"): string {
  return `https://raw.githubusercontent.com/projectcalico/calico/${calicoVersion}/manifests/${file}`;
}
