// What a lab on the user's own machine needs, checked before anything is created.

export interface LocalTool {
  name: string;
  install: string;
}

export const LOCAL_TOOLS: LocalTool[] = [
  { name: "docker", install: "https://docs.docker.com/engine/install/" },
  { name: "containerlab", install: "bash -c \"$(curl -sL https://get.containerlab.dev)\"" },
  { name: "kind", install: "https://kind.sigs.k8s.io/docs/user/quick-start/#installation" },
  { name: "kubectl", install: "https://kubernetes.io/docs/tasks/tools/#kubectl" },
];

export interface LocalHostProbe {
  /** Is this command on PATH? */
  hasTool(name: string): boolean;
  /** Does the Docker daemon answer (`docker info`)? */
  dockerAnswers(): boolean;
  /** Can the steps run containerlab as root (root, or passwordless sudo)? */
  canRunAsRoot(): boolean;
}

/** One message listing everything missing and how to get it, or undefined when all is there. */
export function localPreflight(probe: LocalHostProbe): string | undefined {
  const missing = LOCAL_TOOLS.filter((tool) => !probe.hasTool(tool.name));
  const lines = missing.map((tool) => `  - ${tool.name}: not found on PATH; install: ${tool.install}`);
  if (probe.hasTool("docker") && !probe.dockerAnswers()) {
    lines.push("  - docker is installed but the daemon does not answer `docker info`: start it, and make sure this user may use it");
  }
  if (!probe.canRunAsRoot()) {
    lines.push("  - root: containerlab runs as root; run pulumi as root or give this user passwordless sudo (sudo -n true must succeed)");
  }
  if (lines.length === 0) return undefined;
  return `calico-ipam: target "local" needs these on this machine:\n${lines.join("\n")}`;
}
