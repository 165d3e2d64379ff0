// `npm run ipam -- check`: what `calicoctl ipam check` (v3.30.7, calicoctl/calicoctl/commands/ipam/check.go)
// finds, from the Kubernetes API alone, plus what it misses. Allocations come from IPAMBlocks; the
// addresses in use from Pods as Calico converts them to WorkloadEndpoints (libcalico-go/lib/backend/
// k8s/conversion/conversion.go getPodIPs, IsFinished), from Nodes' tunnel-address annotations and
// from LoadBalancer Services. Beyond calicoctl: IPv6 VXLAN/WireGuard tunnel addresses count as in use
// (calicoctl's getNodeIPs reads IPv4 ones only and calls the IPv6 ones leaked), BlockAffinities that
// dangle, addresses with more than one owner, and handles missing from blocks are counted as problems.
import { addressAt, cidrContains, parseGoIp, type Address } from "../core/cidr";
import { compareNatural } from "./natural-order";
import { escapeControl, printable, type Block, type Checked } from "./normalise";
import type { CheckProblem, CheckReport, IpamSnapshot, KubePod } from "./types";

/** libcalico-go/lib/ipam/ipam_block.go:35: addresses Windows nodes reserve, in use by definition. */
const WINDOWS_RESERVED_HANDLE = "windows-reserved-ipam-handle";
/** libcalico-go/lib/backend/k8s/resources/node.go:44-55, with the IPv6 ones calicoctl's check ignores. */
const TUNNEL_ANNOTATIONS = [
  ["projectcalico.org/IPv4VXLANTunnelAddr", "IPv4"],
  ["projectcalico.org/IPv4WireguardInterfaceAddr", "IPv4"],
  ["projectcalico.org/IPv4IPIPTunnelAddr", "IPv4"],
  ["projectcalico.org/IPv6VXLANTunnelAddr", "IPv6"],
  ["projectcalico.org/IPv6WireguardInterfaceAddr", "IPv6"],
] as const;
/** libcalico-go/lib/backend/k8s/conversion/constants.go:30-36. */
const POD_IP = "cni.projectcalico.org/podIP";
const POD_IPS = "cni.projectcalico.org/podIPs";
const AWS_POD_IPS = "vpc.amazonaws.com/pod-ips";

interface Allocation {
  ip: string;
  block: Block;
  handle: string | null;
  node: string;
  pod?: string;
  attrs: string;
}

export interface CheckInput {
  checked: Checked;
  snapshot: Pick<IpamSnapshot, "nodes" | "pods" | "ipamhandles" | "services">;
}

export interface CheckRun {
  report: CheckReport;
  /** The calicoctl-style text, ending with "Check complete; found N problems.". */
  text: string;
  warnings: string[];
}

/** check.go formatAttrs: "Main:<handle> Extra:k=v,..." with keys sorted. */
function formatAttrs(block: Block, index: number): string {
  const attr = block.attributes[index];
  if (!attr) return "<missing>";
  const extra = Object.keys(attr.secondary).sort().map((k) => `${k}=${attr.secondary[k]}`);
  return escapeControl(`Main:${attr.handle ?? "<none>"} Extra:${extra.join(",")}`);
}

/** conversion.go getPodIPs + IsFinished: the addresses a pod holds, as Calico sees them. */
export function podAddresses(pod: KubePod): string[] {
  if (pod.spec?.hostNetwork || !pod.spec?.nodeName) return [];
  const annotations = pod.metadata?.annotations ?? {};
  const phase = pod.status?.phase;
  const released = pod.metadata?.deletionTimestamp !== undefined && (annotations[POD_IP] === "" || annotations[AWS_POD_IPS] === "");
  if (released || phase === "Failed" || phase === "Succeeded" || phase === "Completed") return [];
  const fromStatus = (pod.status?.podIPs ?? []).map((p) => p?.ip).filter((ip): ip is string => typeof ip === "string" && ip !== "");
  if (fromStatus.length > 0) return fromStatus;
  if (pod.status?.podIP) return [pod.status.podIP];
  for (const key of [POD_IPS, POD_IP, AWS_POD_IPS]) if (annotations[key]) return annotations[key].split(",");
  return [];
}

/** An address, or a CIDR whose address part is the address, as check.go normaliseIP prints it (cnet.ParseCIDROrIP, IP.String). */
function normalise(text: string): Address | undefined {
  return parseGoIp(text.trim().split("/")[0]);
}

const byAddress = (a: Address, b: Address): number =>
  a.family !== b.family ? (a.family === "IPv4" ? -1 : 1) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;

export function runCheck(input: CheckInput): CheckRun {
  const { checked, snapshot } = input;
  const warnings: string[] = [];
  const out: string[] = ["Checking IPAM for inconsistencies...", ""];
  const problems: CheckProblem[] = [];
  const allocations = new Map<string, Allocation[]>();
  const inUse = new Map<string, { owners: string[]; address: Address }>();
  const inUseHandles = new Set<string>();
  const byNode = new Map<string, number>();
  const addresses = new Map<string, Address>();
  const recordInUse = (address: Address, owner: string): void => {
    const entry = inUse.get(address.text) ?? { owners: [], address };
    entry.owners.push(owner);
    inUse.set(address.text, entry);
  };

  out.push("Loading all IPAM blocks...", `Found ${checked.blocks.length} IPAM blocks.`);
  let allocated = 0;
  for (const block of checked.blocks) {
    out.push(` IPAM block ${block.network.text} affinity=${block.affinity === null ? "<none>" : escapeControl(block.affinity)}:`);
    block.allocations.forEach((index, ordinal) => {
      if (index === null) return;
      if (BigInt(ordinal) >= block.network.size) {
        warnings.push(`IPAMBlock ${JSON.stringify(printable(block.name))} has an allocation at ordinal ${ordinal}, outside ${block.network.text}: ignored`);
        return;
      }
      allocated += 1;
      const ip = addressAt(block.network, BigInt(ordinal));
      const address: Address = { family: block.network.family, value: block.network.start + BigInt(ordinal), text: ip };
      addresses.set(ip, address);
      const attr = block.attributes[index];
      const alloc: Allocation = { ip, block, handle: null, node: block.node ?? "", attrs: formatAttrs(block, index) };
      if (attr?.handle === WINDOWS_RESERVED_HANDLE) recordInUse(address, "Reserved for Windows");
      else if (attr?.handle) {
        alloc.handle = attr.handle;
        inUseHandles.add(attr.handle);
      }
      if (attr?.secondary.node) alloc.node = attr.secondary.node;
      if (attr?.secondary.pod) alloc.pod = `${attr.secondary.namespace ?? ""}/${attr.secondary.pod}`;
      allocations.set(ip, [...(allocations.get(ip) ?? []), alloc]);
      byNode.set(alloc.node, (byNode.get(alloc.node) ?? 0) + 1);
    });
  }
  out.push(`IPAM blocks record ${allocated} allocations.`, "");

  const active = checked.pools.filter((p) => !p.disabled);
  out.push("Loading all IPAM pools...", ...active.map((p) => `  ${p.network.text}`), `Found ${active.length} active IP pools.`, "");

  out.push("Loading all nodes.");
  let tunnels = 0;
  for (const node of snapshot.nodes) {
    const name = node.metadata?.name ?? "";
    for (const [key, family] of TUNNEL_ANNOTATIONS) {
      const value = node.metadata?.annotations?.[key];
      if (!value) continue;
      const address = normalise(value);
      if (!address || address.family !== family) {
        warnings.push(`Node ${JSON.stringify(printable(name))} has annotation ${key}=${JSON.stringify(printable(value))}, not an ${family} address: ignored, as Calico ignores it`);
        continue;
      }
      recordInUse(address, `Node(${printable(name)})`);
      tunnels += 1;
    }
  }
  out.push(`Found ${tunnels} node tunnel IPs.`, "");

  out.push("Loading all service load balancer IPs.");
  const balancers = (snapshot.services ?? []).filter((s) => s.spec?.type === "LoadBalancer");
  for (const svc of balancers) {
    for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
      const address = ingress?.ip ? normalise(ingress.ip) : undefined;
      // Only addresses Calico IPAM handed out are Calico's to check; a cloud load balancer's are not.
      if (address && allocations.has(address.text)) recordInUse(address, `Service(${svc.metadata?.namespace}/${svc.metadata?.name})`);
    }
  }
  out.push(`Found ${balancers.length} service load balancer(s).`, "");

  out.push("Loading all workload endpoints.");
  let workloadIps = 0;
  for (const pod of snapshot.pods ?? []) {
    const id = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
    for (const text of podAddresses(pod)) {
      const address = normalise(text);
      if (!address) {
        warnings.push(`Pod ${JSON.stringify(printable(id))} has the address ${JSON.stringify(printable(text))}, which is not one: ignored`);
        continue;
      }
      recordInUse(address, `Workload(${printable(id)})`);
      workloadIps += 1;
    }
  }
  out.push(`Found ${workloadIps} workload IPs.`, `Workloads and nodes are using ${inUse.size} IPs.`, "");

  const handles = new Set<string>();
  out.push("Loading all handles");
  for (const handle of snapshot.ipamhandles ?? []) {
    const id = handle?.spec?.handleID;
    if (typeof id === "string" && id !== "") handles.add(id);
    else warnings.push(`IPAMHandle ${JSON.stringify(printable(String(handle?.metadata?.name)))} has no spec.handleID: ignored`);
  }

  out.push("Looking for top (up to 20) nodes by allocations...");
  const ranked = [...byNode.entries()].sort((a, b) => b[1] - a[1] || compareNatural(a[0], b[0]));
  for (const [node, n] of ranked.slice(0, 20)) out.push(`  ${escapeControl(node)} has ${n} allocations`);
  if (ranked.length > 0) out.push(`Node with most allocations has ${ranked[0][1]}; median is ${ranked[Math.floor(ranked.length / 2)][1]}`);
  out.push("");

  out.push("Scanning for IPs that are allocated but not actually in use...");
  const leaked = [...allocations.keys()].filter((ip) => !inUse.has(ip)).sort((a, b) => byAddress(addresses.get(a) as Address, addresses.get(b) as Address));
  for (const ip of leaked) {
    const allocs = allocations.get(ip) as Allocation[];
    for (const alloc of allocs) out.push(`  ${ip} leaked; attrs ${alloc.attrs}`);
    const first = allocs[0];
    problems.push(clean({ kind: "leaked-ip", ip, handle: first.handle ?? undefined, node: first.node || undefined, block: first.block.network.text, pod: first.pod }));
  }
  out.push(`Found ${leaked.length} IPs that are allocated in IPAM but not actually in use.`);

  out.push("Scanning for IPs that are in use by a workload or node but not allocated in IPAM...");
  let outside = 0;
  let notAllocated = 0;
  let shared = 0;
  for (const [ip, entry] of [...inUse.entries()].sort((a, b) => byAddress(a[1].address, b[1].address))) {
    const pod = entry.owners.find((o) => o.startsWith("Workload("))?.slice(9, -1);
    if (entry.owners.length > 1) {
      out.push(`  ${ip} has multiple owners.`);
      shared += 1;
      problems.push(clean({ kind: "duplicate-ip", ip, pod, detail: `used by ${entry.owners.join(", ")}` }));
    }
    if (allocations.has(ip)) continue;
    const inPool = active.some((p) => cidrContains(p.network, entry.address));
    for (const owner of entry.owners) {
      out.push(inPool ? `  ${ip} in use by ${owner} and in active IPAM pool but has no IPAM allocation.` : `  ${ip} in use by ${owner} is not in any active IP pool.`);
    }
    if (inPool) notAllocated += 1;
    else outside += 1;
    problems.push(clean({ kind: inPool ? "ip-not-allocated" : "ip-outside-pools", ip, pod, detail: `used by ${entry.owners.join(", ")}` }));
  }
  out.push(
    `Found ${outside} in-use IPs that are not in active IP pools.`,
    `Found ${notAllocated} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.`,
    `Found ${shared} in-use IPs with more than one owner.`,
    "",
  );

  out.push("Scanning for IPAM handles with no matching IPs...");
  const unused = [...handles].filter((h) => !inUseHandles.has(h)).sort(compareNatural);
  for (const handle of unused) {
    out.push(`  ${printable(handle)} doesn't have any active IPs.`);
    problems.push({ kind: "handle-without-ips", handle });
  }
  out.push(`Found ${unused.length} handles with no matching IPs (and ${handles.size - unused.length} handles with matches).`);
  out.push("Scanning for IPs with missing handle...");
  const missing = [...inUseHandles].filter((h) => !handles.has(h)).sort(compareNatural);
  for (const handle of missing) {
    out.push(`  ${printable(handle)} is in use in a block but doesn't exist.`);
    problems.push({ kind: "missing-handle", handle });
  }
  out.push(`Found ${missing.length} handles mentioned in blocks with no matching handle resource.`);

  const dangling = danglingAffinities(checked);
  out.push("Scanning for block affinities that dangle...");
  for (const p of dangling) out.push(`  ${p.block} of node ${printable(p.node ?? "")}: ${p.detail}`);
  out.push(`Found ${dangling.length} block affinities that dangle.`);
  problems.push(...dangling);

  out.push(`Check complete; found ${problems.length} problems.`);
  return {
    report: { problems, summary: { ipsAllocated: String(allocated), ipsInUse: String(inUse.size), problems: problems.length } },
    text: `${out.join("\n")}\n`,
    warnings,
  };
}

function clean(problem: CheckProblem): CheckProblem {
  return Object.fromEntries(Object.entries(problem).filter(([, v]) => v !== undefined && v !== "")) as unknown as CheckProblem;
}

/** Affinities whose block is missing, whose node is gone, or whose block names another host. */
function danglingAffinities(checked: Checked): CheckProblem[] {
  const nodes = new Set(checked.nodes);
  const blocks = new Map(checked.blocks.map((b) => [b.network.text, b]));
  const out: CheckProblem[] = [];
  for (const a of checked.affinities) {
    if (a.deleted) continue;
    const cidr = a.network?.text ?? a.cidr;
    const reasons: string[] = [];
    if (!a.network) reasons.push("its cidr is not a CIDR");
    if (!nodes.has(a.node)) reasons.push("the node is gone");
    const block = a.network ? blocks.get(a.network.text) : undefined;
    // A pending affinity is claimed before its block is written: a missing block is normal there.
    if (a.network && !block && a.state !== "pending") reasons.push("no IPAMBlock exists for it");
    if (block && block.affinity !== `host:${a.node}`) reasons.push(`the block's affinity is ${block.affinity === null ? "none" : JSON.stringify(printable(block.affinity))}`);
    if (reasons.length > 0) out.push(clean({ kind: "dangling-affinity", node: a.node, block: cidr, detail: `${printable(a.name)}: ${reasons.join("; ")}` }));
  }
  return out;
}
