// The lab host's world as the install scripts see it, inside a sandbox: Ubuntu noble's release file,
// Docker's repository listing, and every release download with its publisher's checksum file.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { DOCKER_PACKAGES, HOST_TOOLS } from "../../lib/core/versions";
import { madisonListing, type Sandbox } from "../support/sandbox";

export const VERSIONS = { kubernetesVersion: "v1.35.0", calicoVersion: "v3.30.7", nodeImage: "kindest/node:v1.35.0@sha256:" + "4".repeat(64) };

const sha256 = (content: string): string => createHash("sha256").update(content).digest("hex");

/** Docker's noble repository as it was: 56 docker-ce versions, newest first (29.x above the pin). */
export function dockerCeVersions(): string[] {
  const versions: string[] = [];
  for (const [minor, patches] of [["29.1", 3], ["29.0", 4], ["28.5", 2], ["28.4", 0], ["28.3", 3], ["28.2", 2], ["28.1", 1], ["28.0", 4], ["27.5", 1], ["27.4", 1], ["27.3", 1], ["27.2", 1], ["27.1", 2], ["27.0", 3], ["26.1", 4], ["26.0", 2]] as const) {
    for (let p = patches; p >= 0; p--) versions.push(`5:${minor}.${p}-1~ubuntu.24.04~noble`);
  }
  return versions.slice(0, 56);
}

/** Where each tool comes from, with its checksum file's URL and line format. */
export function downloads(versions = VERSIONS): { name: string; url: string; sumsUrl: string; sums: (hash: string) => string }[] {
  const clabDeb = `containerlab_${HOST_TOOLS.containerlab.slice(1)}_linux_amd64.deb`;
  const clab = `https://github.com/srl-labs/containerlab/releases/download/${HOST_TOOLS.containerlab}`;
  const kind = `https://github.com/kubernetes-sigs/kind/releases/download/${HOST_TOOLS.kind}/kind-linux-amd64`;
  const kubectl = `https://dl.k8s.io/release/${versions.kubernetesVersion}/bin/linux/amd64/kubectl`;
  const calico = `https://github.com/projectcalico/calico/releases/download/${versions.calicoVersion}`;
  return [
    { name: "containerlab", url: `${clab}/${clabDeb}`, sumsUrl: `${clab}/checksums.txt`, sums: (h) => `${"0".repeat(64)}  containerlab_linux_arm64.deb\n${h}  ${clabDeb}\n` },
    { name: "kind", url: kind, sumsUrl: `${kind}.sha256sum`, sums: (h) => `${h}  kind-linux-amd64\n` },
    { name: "kubectl", url: kubectl, sumsUrl: `${kubectl}.sha256`, sums: (h) => h },
    // Calico's SHA256SUMS: `sha256sum` run over every release asset (release/pkg/manager/calico/manager.go).
    { name: "calicoctl", url: `${calico}/calicoctl-linux-amd64`, sumsUrl: `${calico}/SHA256SUMS`, sums: (h) => `${"1".repeat(64)}  calicoctl-darwin-amd64\n${h}  calicoctl-linux-amd64\n${"2".repeat(64)}  metadata.yaml\n` },
  ];
}

/** A host where everything the install needs answers correctly. */
export function provisionHost(box: Sandbox, versions = VERSIONS): void {
  box.setState("madison-docker-ce", madisonListing("docker-ce", dockerCeVersions()));
  box.setState("madison-containerd.io", madisonListing("containerd.io", ["2.2.1-1~ubuntu.24.04~noble", DOCKER_PACKAGES.containerdIo, "1.7.28-1~ubuntu.24.04~noble"]));
  box.serve("https://download.docker.com/linux/ubuntu/gpg", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
  for (const d of downloads(versions)) {
    const content = `${d.name} binary\n`;
    box.serve(d.url, content);
    box.serve(d.sumsUrl, d.sums(sha256(content)));
  }
  const etc = `${box.root}/etc`;
  fs.mkdirSync(`${etc}/apt/sources.list.d`, { recursive: true });
  fs.mkdirSync(`${box.root}/usr/local/bin`, { recursive: true });
  fs.writeFileSync(`${etc}/os-release`, 'NAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n');
}
