// The `workloads` output: for each pod of each workload, its node, its address(es), the pool and block
// each came from and why Calico chose that pool, or, for a pod with no address, the reason Calico
// gave. Pure, from one read of pods, their events, namespaces, IP pools and IPAM blocks.
//
// Why a pool (Calico v3.30.7): the CNI plugin takes the pod's cni.projectcalico.org/ipv4pools (or
// ipv6pools) annotation, else its namespace's (cni-plugin/pkg/k8s/k8s.go); requested pools are used
// whatever their nodeSelector; without one, IPAM uses the enabled pools whose nodeSelector selects
// the node (libcalico-go/lib/ipam/ipam.go determinePools).
import { cidrContains, parseAddress, parseNetwork } from "../core/cidr";
import { POOL_ANNOTATIONS, TEMPLATE_LABEL, type WorkloadQuery } from "./workloads";

export interface PodObject {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; deletionTimestamp?: string | Date };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip?: string }[];
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

export interface EventObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | Date;
  eventTime?: string | Date;
}

export interface NamespaceObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
}

export interface PoolObject {
  metadata?: { name?: string };
  spec?: { cidr?: string; nodeSelector?: string };
}

export interface BlockObject {
  spec?: { cidr?: string; affinity?: string | null };
}

/** Everything one read returns for the workloads. */
export interface WorkloadObservation {
  pods: PodObject[];
  /** The kubelet's FailedCreatePodSandBox events in the workloads' namespaces. */
  events: EventObject[];
  namespaces: NamespaceObject[];
  pools: PoolObject[];
  blocks: BlockObject[];
}

export type PoolReason = "pod annotation" | "namespace annotation" | "pool nodeSelector" | "no pool";

export interface AddressReport {
  ip: string;
  /** The pool holding the address; null once that pool is gone (the pod keeps its address). */
  pool: string | null;
  /** The IPAM block holding it, and the node that block belongs to. */
  block: string | null;
  blockNode: string | null;
  /** The block belongs to another node: the address was borrowed (only without strictAffinity). */
  borrowed: boolean;
  reason: PoolReason;
  why: string;
}

export interface PodReport {
  name: string;
  node: string | null;
  addresses: AddressReport[];
  /** For a pod without an address: what Calico (or the scheduler) said. */
  problem?: string;
}

export interface WorkloadReport {
  name: string;
  namespace: string;
  replicas: number;
  withAddress: number;
  withoutAddress: number;
  pods: PodReport[];
}

export const SANDBOX_FAILURE = "FailedCreatePodSandBox";

/** Calico's own words from a kubelet sandbox event ("... plugin type="calico" failed (add): <reason>"). */
export function calicoReason(message: string): string {
  const markers = [/plugin type="calico" failed \(add\): /i, /error adding container to network "[^"]*": /];
  for (const marker of markers) {
    const match = marker.exec(message);
    if (match) return message.slice(match.index + match[0].length).trim();
  }
  return message.trim();
}

function time(e: EventObject): number {
  const t = e.lastTimestamp ?? e.eventTime;
  return t ? new Date(t).getTime() : 0;
}

/** The current pods of a workload: its template, not being deleted. */
export function currentPods(query: WorkloadQuery, pods: PodObject[]): PodObject[] {
  return pods.filter((p) =>
    p.metadata?.namespace === query.namespace &&
    p.metadata?.labels?.["app.kubernetes.io/name"] === query.name &&
    p.metadata?.labels?.[TEMPLATE_LABEL] === query.template &&
    !p.metadata?.deletionTimestamp);
}

function podIps(pod: PodObject): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  return ips.length > 0 ? ips : pod.status?.podIP ? [pod.status.podIP] : [];
}

/** Why a pod has no address yet, or undefined when nothing has been said about it. */
function problemOf(pod: PodObject, events: EventObject[]): string | undefined {
  const unscheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (unscheduled) return `not scheduled: ${unscheduled.message ?? unscheduled.reason ?? "no node fits"}`;
  const latest = events
    .filter((e) => e.reason === SANDBOX_FAILURE && e.involvedObject?.name === pod.metadata?.name && e.involvedObject?.namespace === pod.metadata?.namespace)
    .sort((a, b) => time(b) - time(a))[0];
  return latest?.message ? calicoReason(latest.message) : undefined;
}

/** Every current pod has an address or a reason it has none, and they are all there. */
export function workloadsSettled(queries: WorkloadQuery[], observation: Pick<WorkloadObservation, "pods" | "events">): boolean {
  return queries.every((q) => {
    const pods = currentPods(q, observation.pods);
    return pods.length >= q.replicas && pods.every((p) => podIps(p).length > 0 || problemOf(p, observation.events) !== undefined);
  });
}

function annotationPools(annotations: Record<string, string> | undefined, key: string): string[] | undefined {
  const value = annotations?.[key];
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  } catch {
    return undefined;
  }
}

function addressReport(ip: string, pod: PodObject, node: string | null, data: WorkloadObservation): AddressReport {
  const key = ip.includes(":") ? POOL_ANNOTATIONS.IPv6 : POOL_ANNOTATIONS.IPv4;
  const address = parseAddress(ip);
  const holds = (cidr: string | undefined): boolean => {
    const network = parseNetwork(cidr);
    return network !== undefined && address !== undefined && cidrContains(network, address);
  };
  const pool = data.pools.find((p) => holds(p.spec?.cidr));
  const block = data.blocks.find((b) => holds(b.spec?.cidr));
  const affinity = block?.spec?.affinity ?? null;
  const blockNode = affinity?.startsWith("host:") ? affinity.slice("host:".length) : null;
  const base = {
    ip,
    pool: pool?.metadata?.name ?? null,
    block: block?.spec?.cidr ?? null,
    blockNode,
    borrowed: blockNode !== null && node !== null && blockNode !== node,
  };
  if (!pool) return { ...base, reason: "no pool", why: "the address is in no pool any more: its pool was deleted; the pod keeps it until it restarts" };
  const names = [pool.metadata?.name ?? "", pool.spec?.cidr ?? ""];
  const podAsked = annotationPools(pod.metadata?.annotations, key);
  if (podAsked?.some((n) => names.includes(n))) {
    return { ...base, reason: "pod annotation", why: `the pod's ${key} annotation asks for ${JSON.stringify(podAsked)}` };
  }
  const namespace = data.namespaces.find((n) => n.metadata?.name === pod.metadata?.namespace);
  const nsAsked = podAsked ? undefined : annotationPools(namespace?.metadata?.annotations, key);
  if (nsAsked?.some((n) => names.includes(n))) {
    return { ...base, reason: "namespace annotation", why: `namespace ${pod.metadata?.namespace}'s ${key} annotation asks for ${JSON.stringify(nsAsked)}` };
  }
  const selector = pool.spec?.nodeSelector ?? "all()";
  return { ...base, reason: "pool nodeSelector", why: `no pool annotation; the pool's nodeSelector ${JSON.stringify(selector)} selects node ${node ?? "(unknown)"}` };
}

const byNodeThenName = (a: PodReport, b: PodReport): number =>
  (a.node ?? "~").localeCompare(b.node ?? "~") || a.name.localeCompare(b.name);

export function workloadReport(queries: WorkloadQuery[], data: WorkloadObservation): WorkloadReport[] {
  return queries.map((q) => {
    const pods: PodReport[] = currentPods(q, data.pods).map((pod) => {
      const node = pod.spec?.nodeName ?? null;
      const addresses = podIps(pod).map((ip) => addressReport(ip, pod, node, data));
      const report: PodReport = { name: pod.metadata?.name ?? "", node, addresses };
      if (addresses.length === 0) report.problem = problemOf(pod, data.events) ?? "no address yet: the pod was still starting when the lab read it";
      return report;
    });
    pods.sort(byNodeThenName);
    const withAddress = pods.filter((p) => p.addresses.length > 0).length;
    return { name: q.name, namespace: q.namespace, replicas: q.replicas, withAddress, withoutAddress: pods.length - withAddress, pods };
  });
}
