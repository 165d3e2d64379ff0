// What a lab on the user's own machine needs, checked before anything is created.
import { HOST_TOOLS, OLDEST_LOCAL_CONTAINERLAB, releaseAtLeast } from "../core/versions";

export interface LocalTool {
  name: string;
  install: string;
  /**
   * The steps run it as root (common.sh as_root: `sudo -n <tool>`), so it must be where root finds
   * it: sudo searches its secure_path, not this user's PATH (~/go/bin, ~/.local/bin).
   */
  asRoot: boolean;
}

const CONTAINERLAB_INSTALL = `bash -c "$(curl -sL https://get.containerlab.dev)" -- -v ${HOST_TOOLS.containerlab.replace(/^v/, "")}`;

export const LOCAL_TOOLS: LocalTool[] = [
  { name: "docker", install: "https://docs.docker.com/engine/install/", asRoot: true },
  { name: "containerlab", install: CONTAINERLAB_INSTALL, asRoot: true },
  { name: "kind", install: "https://kind.sigs.k8s.io/docs/user/quick-start/#installation", asRoot: true },
  // The lab's hand commands (kubectl get nodes) are this user's.
  { name: "kubectl", install: "https://kubernetes.io/docs/tasks/tools/#kubectl", asRoot: false },
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
  /** Where this user's PATH has this command, or undefined. */
  toolPath(name: string): string | undefined;
  /** Where root finds this command as the steps run it (root's PATH, or sudo's secure_path); asked only when canRunAsRoot. */
  rootToolPath(name: string): string | undefined;
  /** What `containerlab version` prints, run as the steps run containerlab; undefined when it fails. */
  containerlabVersion(): string | undefined;
  /** Does the Docker daemon answer `docker info`, run as the steps run docker (as root when possible)? */
  dockerAnswers(): boolean;
  /**
   * Can the steps run as root (root, or passwordless sudo)? Asked with `sudo -n -k true`: a password
   * sudo remembered from an earlier `sudo` (its timestamp) would pass `sudo -n true` now and be gone by
   * the time `npm run destroy` runs the steps' `sudo -n` (common.sh as_root).
   */
  canRunAsRoot(): boolean;
  /** IPv6 facts, asked only for a dual-stack lab. */
  ipv6?(): LocalIpv6Facts;
  /**
   * The containers of the kind cluster of this name (kind's label io.x-k8s.kind.cluster), with their
   * Docker state (running, exited, ...), as root sees them; undefined when Docker cannot say.
   */
  kindNodes?(clusterName: string): { name: string; state: string }[] | undefined;
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

/**
 * The version `containerlab version` printed ("    version: 0.79.0" under its logo, in every release
 * since the lab's oldest), checked against OLDEST_LOCAL_CONTAINERLAB.
 */
export function containerlabVersionProblem(printed: string | undefined): string | undefined {
  const version = /^\s*version:\s*v?(\d+\.\d+\.\d+)\s*$/m.exec(printed ?? "")?.[1];
  const fix = `install containerlab ${HOST_TOOLS.containerlab}, the version the lab's own host runs: ${CONTAINERLAB_INSTALL}`;
  if (version === undefined) {
    return `  - containerlab: \`containerlab version\` did not say which version this is, and the lab needs ${OLDEST_LOCAL_CONTAINERLAB} or later; ${fix}`;
  }
  if (releaseAtLeast(version, OLDEST_LOCAL_CONTAINERLAB)) return undefined;
  return `  - containerlab: version ${version} embeds a kind older than ${HOST_TOOLS.kind}, whose node images the lab runs ` +
    `(containerlab embeds kind ${HOST_TOOLS.kind} from ${OLDEST_LOCAL_CONTAINERLAB} on); ${fix}`;
}

function missingTool(probe: LocalHostProbe, tool: LocalTool, root: boolean): string | undefined {
  const mine = probe.toolPath(tool.name);
  if (!tool.asRoot || !root) return mine ? undefined : `  - ${tool.name}: not found on PATH; install: ${tool.install}`;
  if (probe.rootToolPath(tool.name)) return undefined;
  if (!mine) return `  - ${tool.name}: not found on root's PATH (the steps run it with sudo -n); install: ${tool.install}`;
  return `  - ${tool.name}: ${mine} is on your PATH but not on root's, and the steps run ${tool.name} as root ` +
    `(sudo -n ${tool.name} searches sudo's secure_path): install it where root finds it, e.g. sudo install -m 0755 ${mine} /usr/local/bin/${tool.name}`;
}

/** One message listing everything missing and how to get it, or undefined when all is there. */
export function localPreflight(probe: LocalHostProbe, ipFamily: "ipv4" | "dual" = "ipv4"): string | undefined {
  const root = probe.canRunAsRoot();
  const missing = new Map(LOCAL_TOOLS.map((tool) => [tool.name, missingTool(probe, tool, root)]));
  const lines = [...missing.values()].filter((line): line is string => line !== undefined);
  const docker = !missing.get("docker");
  const containerlab = !missing.get("containerlab");
  if (docker && !probe.dockerAnswers()) {
    lines.push("  - docker is installed but the daemon does not answer `docker info`: start it, and make sure this user may use it");
  }
  if (!root) {
    lines.push("  - root: the steps run containerlab, kind and docker as root; run pulumi as root or give this user passwordless sudo (sudo -n -k true must succeed: a password sudo remembered from an earlier sudo expires before npm run destroy)");
  }
  // Without root the version would be the user's containerlab's, which need not be the one the steps run.
  if (containerlab && root) {
    const problem = containerlabVersionProblem(probe.containerlabVersion());
    if (problem) lines.push(problem);
  }
  if (ipFamily === "dual" && docker && probe.ipv6) lines.push(...ipv6Problems(probe.ipv6()));
  if (lines.length === 0) return undefined;
  return `calico-ipam: target "local" needs these on this machine:\n${lines.join("\n")}`;
}

/**
 * The lab's kind nodes are there but stopped: after a reboot whose Docker did not start them again, or
 * a `docker stop`. Nothing in the stack notices (the deploy step runs only when its inputs change), so
 * the run would fail on the unreachable API server (pulumi-kubernetes provider_construct.go Construct:
 * "configured Kubernetes cluster is unreachable"), or wait out calicoTimeoutMinutes. Said before that.
 * A leftover cluster of another lab of this name is stopped too: starting it is harmless, since the
 * deploy step's `containerlab deploy --reconfigure` replaces it.
 */
export function stoppedLabNodesProblem(probe: LocalHostProbe, labName: string): string | undefined {
  const nodes = probe.kindNodes?.(labName) ?? [];
  // restarting: Docker is starting it again by itself.
  const stopped = nodes.filter((node) => node.state !== "running" && node.state !== "restarting");
  if (stopped.length === 0) return undefined;
  const names = nodes.map((node) => node.name).sort();
  // Docker refuses to start a paused container: it must be unpaused.
  const paused = stopped.filter((node) => node.state === "paused").map((node) => node.name).sort();
  const start = [
    ...(paused.length > 0 ? [`sudo docker unpause ${paused.join(" ")}`] : []),
    ...(paused.length < stopped.length ? [`sudo docker start ${names.join(" ")}`] : []),
  ].join(" && ");
  return `calico-ipam: the kind cluster "${labName}" is on this machine but ${stopped.length === nodes.length ? "its nodes are" : "some of its nodes are"} ` +
    `not running (${stopped.map((node) => `${node.name}: ${node.state}`).join(", ")}): after a reboot, a docker stop or pause. ` +
    `Start them, then run npm run up again: ${start}. Multi-node kind clusters have not always ` +
    `worked again after a restart (kind#2045): if Calico does not come back, npm run destroy && npm run up builds a new one.`;
}
