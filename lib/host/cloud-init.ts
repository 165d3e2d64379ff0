// The lab host's cloud-init user data: kernel limits kind needs, then one pinned install script.
import { stringify } from "yaml";
import { renderStep } from "../core/steps";
import { HOST_TOOLS } from "../core/versions";

export interface HostToolVersions {
  kubernetesVersion: string;
  calicoVersion: string;
}

export const INSTALL_SCRIPT_PATH = "/usr/local/sbin/calico-ipam-install-tools";

/** kind's known-issues page: several nodes on one host exhaust the default inotify limits. */
const SYSCTL_CONF = "fs.inotify.max_user_watches = 524288\nfs.inotify.max_user_instances = 512\n";

export function renderInstallScript(versions: HostToolVersions): string {
  return renderStep("install-tools", {
    DOCKER_VERSION: HOST_TOOLS.docker,
    CONTAINERLAB_VERSION: HOST_TOOLS.containerlab,
    KIND_VERSION: HOST_TOOLS.kind,
    KUBECTL_VERSION: versions.kubernetesVersion,
    CALICOCTL_VERSION: versions.calicoVersion,
  });
}

export function renderCloudInit(versions: HostToolVersions): string {
  const config = {
    package_update: true,
    packages: ["ca-certificates", "curl", "jq"],
    write_files: [
      { path: "/etc/sysctl.d/90-calico-ipam-kind.conf", permissions: "0644", content: SYSCTL_CONF },
      { path: INSTALL_SCRIPT_PATH, permissions: "0755", content: renderInstallScript(versions) },
    ],
    runcmd: [["sysctl", "--system"], [INSTALL_SCRIPT_PATH]],
  };
  return `#cloud-config\n${stringify(config)}`;
}
