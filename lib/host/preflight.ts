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

/** What a dual-stack lab needs of this machine's IPv6. */
export interface LocalIpv6Facts {
  /** net.ipv6.conf.all.disable_ipv6 is 0: Docker can give networks IPv6. */
  kernelIpv6: boolean;
  /** net.ipv6.conf.all.forwarding is 1. */
  forwarding: boolean;
  /** Docker's `kind` network has IPv6 enabled; undefined when there is no such network yet. */
  kindNetworkIpv6?: boolean;
}

export interface LocalHostProbe {
  /** Is this command on PATH? */
  hasTool(name: string): boolean;
  /** Does the Docker daemon answer (`docker info`)? */
  dockerAnswers(): boolean;
  /** Can the steps run containerlab as root (root, or passwordless sudo)? */
  canRunAsRoot(): boolean;
  /** IPv6 facts, asked only for a dual-stack lab. */
  ipv6?(): LocalIpv6Facts;
}

/**
 * kind puts every cluster on one Docker network, `kind`, and reuses it as it finds it
 * (pkg/cluster/internal/providers/docker/network.go ensureNetwork: "the network might already exist
 * and not have ipv6"); a dual-stack cluster on an IPv4-only one fails late with "failed to get IPv6
 * address for node". Said here, before anything is created.
 */
function ipv6Problems(facts: LocalIpv6Facts): string[] {
  const lines: string[] = [];
  if (!facts.kernelIpv6) {
    lines.push("  - IPv6 is disabled on this machine (net.ipv6.conf.all.disable_ipv6 = 1), so Docker cannot give the kind network IPv6: " +
      "enable it (sudo sysctl -w net.ipv6.conf.all.disable_ipv6=0) or set calico-ipam:ipFamily to ipv4");
  }
  if (!facts.forwarding) {
    lines.push("  - IPv6 forwarding is off (net.ipv6.conf.all.forwarding = 0), which a dual-stack Calico needs on the host: sudo sysctl -w net.ipv6.conf.all.forwarding=1");
  }
  if (facts.kindNetworkIpv6 === false) {
    lines.push("  - the Docker network \"kind\" exists without IPv6: kind reuses it as it is, and a dual-stack cluster then fails with " +
      "\"failed to get IPv6 address for node\"; delete the kind clusters on it (kind get clusters), then docker network rm kind, " +
      "and kind creates it again with IPv6");
  }
  return lines;
}

/** One message listing everything missing and how to get it, or undefined when all is there. */
export function localPreflight(probe: LocalHostProbe, ipFamily: "ipv4" | "dual" = "ipv4"): string | undefined {
  const missing = LOCAL_TOOLS.filter((tool) => !probe.hasTool(tool.name));
  const lines = missing.map((tool) => `  - ${tool.name}: not found on PATH; install: ${tool.install}`);
  if (probe.hasTool("docker") && !probe.dockerAnswers()) {
    lines.push("  - docker is installed but the daemon does not answer `docker info`: start it, and make sure this user may use it");
  }
  if (!probe.canRunAsRoot()) {
    lines.push("  - root: containerlab runs as root; run pulumi as root or give this user passwordless sudo (sudo -n true must succeed)");
  }
  if (ipFamily === "dual" && probe.hasTool("docker") && probe.ipv6) lines.push(...ipv6Problems(probe.ipv6()));
  if (lines.length === 0) return undefined;
  return `calico-ipam: target "local" needs these on this machine:\n${lines.join("\n")}`;
}
