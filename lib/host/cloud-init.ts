// The lab host's cloud-init user data: kernel limits kind needs, the pinned install script, and the
// image pre-pull it starts as soon as Docker answers.
import { stringify } from "yaml";
import { renderStep } from "../core/steps";
import { DOCKER_PACKAGES, HOST_TOOLS, REGISTRY_MIRROR } from "../core/versions";

export interface HostToolVersions {
  /** kubectl's version: the cluster's own. */
  kubernetesVersion: string;
  /** calicoctl's version, and the release whose images are pre-pulled. */
  calicoVersion: string;
  /** The kind node image, pulled while the rest of the host installs. */
  nodeImage: string;
}

export const INSTALL_SCRIPT_PATH = "/usr/local/sbin/calico-ipam-install-tools";
export const PREPULL_SCRIPT_PATH = "/usr/local/sbin/calico-ipam-prepull-images";

/** kind's known-issues page: several nodes on one host exhaust the default inotify limits. */
const SYSCTL_CONF = "fs.inotify.max_user_watches = 524288\nfs.inotify.max_user_instances = 512\n";

export function renderInstallScript(versions: HostToolVersions): string {
  return renderStep("install-tools", {
    DOCKER_VERSION: DOCKER_PACKAGES.dockerCe,
    CONTAINERD_VERSION: DOCKER_PACKAGES.containerdIo,
    DOCKER_KEY_FINGERPRINT: DOCKER_PACKAGES.signingKeyFingerprint,
    CONTAINERLAB_VERSION: HOST_TOOLS.containerlab,
    KIND_VERSION: HOST_TOOLS.kind,
    KUBECTL_VERSION: versions.kubernetesVersion,
    CALICOCTL_VERSION: versions.calicoVersion,
    PREPULL_SCRIPT: PREPULL_SCRIPT_PATH,
  });
}

export function renderPrepullScript(versions: HostToolVersions): string {
  return renderStep("prepull-images", {
    NODE_IMAGE: versions.nodeImage,
    CALICO_VERSION: versions.calicoVersion,
    MIRROR_IMAGE: REGISTRY_MIRROR.image,
    MIRROR_NAME: REGISTRY_MIRROR.name,
    MIRROR_PORT: String(REGISTRY_MIRROR.hostPort),
    MIRROR_UPSTREAM: REGISTRY_MIRROR.upstream,
  });
}

export function renderCloudInit(versions: HostToolVersions): string {
  // No cloud-init `packages`: its own apt run would add a second `apt-get update` and race Ubuntu's
  // first-boot apt jobs; the install script does one, holding those jobs off.
  const config = {
    write_files: [
      { path: "/etc/sysctl.d/90-calico-ipam-kind.conf", permissions: "0644", content: SYSCTL_CONF },
      { path: INSTALL_SCRIPT_PATH, permissions: "0755", content: renderInstallScript(versions) },
      { path: PREPULL_SCRIPT_PATH, permissions: "0755", content: renderPrepullScript(versions) },
    ],
    runcmd: [["sysctl", "--system"], [INSTALL_SCRIPT_PATH]],
  };
  return `#cloud-config\n${stringify(config)}`;
}
