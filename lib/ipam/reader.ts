// Reads the IPAM objects through the Kubernetes API and summarises them: the one read behind the
// stack outputs and `npm run ipam`. Each kind is listed once, with paging; pods and nodes are cut down
// to the fields Calico's own conversion reads, so a large cluster costs little memory.
import { summariseTigeraStatus, TIGERASTATUSES, type TigeraStatus } from "../calico/status";
import { connect, getObject, KubeReadError, listObjects, type KubeClients, type ReadOptions, type ResourceRef } from "../core/kube";
import { runCheck, type CheckRun } from "./check";
import { checkSnapshot, type Checked } from "./normalise";
import { listBlockAffinities, summariseIpam } from "./summary";
import type { IPAMConfig, IPAMHandle, IpamSnapshot, IpamState, KubeNode, KubePod, KubeService } from "./types";

const calico = (plural: string, kind: string): ResourceRef => ({ group: "crd.projectcalico.org", version: "v1", plural, kind });
const core = (plural: string, kind: string): ResourceRef => ({ group: "", version: "v1", plural, kind });

export const CALICO_RESOURCES = {
  ippools: calico("ippools", "IPPool"),
  ipamblocks: calico("ipamblocks", "IPAMBlock"),
  blockaffinities: calico("blockaffinities", "BlockAffinity"),
  ipamhandles: calico("ipamhandles", "IPAMHandle"),
  ipamconfigs: calico("ipamconfigs", "IPAMConfig"),
} as const satisfies Record<string, ResourceRef>;

/** "show": what `calicoctl ipam show` reads; "all" adds what `check` needs (handles, pods, services). */
export type ReadScope = "show" | "all";

export interface SnapshotOptions extends ReadOptions {
  scope?: ReadScope;
  /** Called once the kubeconfig is understood, before the first request: which cluster is read. */
  onConnect?: (clients: KubeClients) => void;
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function pick(map: unknown, keep: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (isDict(map)) for (const [k, v] of Object.entries(map)) if (keep(k) && typeof v === "string") out[k] = v;
  return out;
}

/** A node as Calico's node conversion reads it: name and projectcalico.org annotations. */
export function projectNode(raw: unknown): KubeNode {
  const meta = isDict(raw) && isDict(raw.metadata) ? raw.metadata : {};
  return { metadata: { name: str(meta.name), annotations: pick(meta.annotations, (k) => k.startsWith("projectcalico.org/")) } };
}

/** A pod as Calico's pod-to-WorkloadEndpoint conversion reads it. */
export function projectPod(raw: unknown): KubePod {
  const r = isDict(raw) ? raw : {};
  const meta = isDict(r.metadata) ? r.metadata : {};
  const spec = isDict(r.spec) ? r.spec : {};
  const status = isDict(r.status) ? r.status : {};
  const podIPs = Array.isArray(status.podIPs) ? status.podIPs.filter(isDict).map((p) => ({ ip: str(p.ip) })) : undefined;
  return {
    metadata: {
      name: str(meta.name),
      namespace: str(meta.namespace),
      deletionTimestamp: str(meta.deletionTimestamp),
      annotations: pick(meta.annotations, (k) => k.startsWith("cni.projectcalico.org/") || k === "vpc.amazonaws.com/pod-ips"),
    },
    spec: { nodeName: str(spec.nodeName), hostNetwork: spec.hostNetwork === true },
    status: { phase: str(status.phase), podIP: str(status.podIP), podIPs },
  };
}

function projectService(raw: unknown): KubeService {
  const r = isDict(raw) ? raw : {};
  const meta = isDict(r.metadata) ? r.metadata : {};
  const lb = isDict(r.status) && isDict(r.status.loadBalancer) ? r.status.loadBalancer : {};
  const ingress = Array.isArray(lb.ingress) ? lb.ingress.filter(isDict).map((i) => ({ ip: str(i.ip) })) : [];
  return {
    metadata: { name: str(meta.name), namespace: str(meta.namespace) },
    spec: { type: isDict(r.spec) ? str(r.spec.type) : undefined },
    status: { loadBalancer: { ingress } },
  };
}

/** A read that may be refused (403) or absent (404) without stopping the report: it is then noted. */
async function optional<T>(read: Promise<T>, name: string, unreadable: Record<string, string>, absent: T): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (!(err instanceof KubeReadError)) throw err;
    if (err.kind === "not-found") return absent;
    if (err.kind === "forbidden") {
      unreadable[name] = err.message;
      return undefined;
    }
    throw err;
  }
}

export async function readIpamSnapshot(kubeconfigYaml: string, opts: SnapshotOptions = {}): Promise<IpamSnapshot> {
  const clients = connect(kubeconfigYaml, opts);
  opts.onConnect?.(clients);
  const unreadable: Record<string, string> = {};
  const all = opts.scope !== "show";
  const reads = [
    listObjects(clients, CALICO_RESOURCES.ippools, opts),
    listObjects(clients, CALICO_RESOURCES.ipamblocks, opts),
    listObjects(clients, CALICO_RESOURCES.blockaffinities, opts),
    listObjects(clients, core("nodes", "Node"), opts).then((items) => items.map(projectNode)),
    // Calico from manifests has no operator (404), and calicoctl's RBAC does not grant TigeraStatus (403):
    // neither stops the IPAM report.
    optional(listObjects(clients, TIGERASTATUSES, opts), "tigerastatuses", unreadable, []),
    optional(getObject<IPAMConfig>(clients, CALICO_RESOURCES.ipamconfigs, "default").then((c) => c ?? null), "ipamconfigs", unreadable, null),
    all ? optional(listObjects(clients, CALICO_RESOURCES.ipamhandles, opts), "ipamhandles", unreadable, []) : undefined,
    all ? optional(listObjects(clients, core("pods", "Pod"), opts).then((items) => items.map(projectPod)), "pods", unreadable, []) : undefined,
    all ? optional(listObjects(clients, core("services", "Service"), opts).then((items) => items.map(projectService)), "services", unreadable, []) : undefined,
  ] as const;
  // allSettled, then the first failure in a fixed order, so the same fault always gives the same line.
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const [ippools, ipamblocks, blockaffinities, nodes, tigerastatuses, ipamconfig, ipamhandles, pods, services] = await Promise.all(reads);
  return {
    ippools: ippools as IpamSnapshot["ippools"],
    ipamblocks: ipamblocks as IpamSnapshot["ipamblocks"],
    blockaffinities: blockaffinities as IpamSnapshot["blockaffinities"],
    nodes,
    tigerastatuses: (tigerastatuses ?? []) as TigeraStatus[],
    ipamconfig,
    ipamhandles: ipamhandles as IPAMHandle[] | undefined,
    pods,
    services,
    unreadable,
  };
}

export interface Analysis {
  checked: Checked;
  state: IpamState;
  /** The check as text, when pods and handles were read. */
  check: CheckRun | null;
}

/** Everything the views need from one snapshot. */
export function analyseSnapshot(snapshot: IpamSnapshot): Analysis {
  const checked = checkSnapshot(snapshot);
  const summarised = summariseIpam(checked);
  const canCheck = snapshot.pods !== undefined && snapshot.ipamhandles !== undefined;
  const check = canCheck ? runCheck({ checked, snapshot }) : null;
  // An unreadable IPAMConfig matters only to --show-configuration, which says so itself.
  const unreadable = Object.entries(snapshot.unreadable ?? {})
    .filter(([name]) => name !== "ipamconfigs")
    .map(([name, why]) => (name === "tigerastatuses" ? `TigeraStatus not read, so tigeraStatus is empty (${why})` : `${name} not read, so there is no check (${why})`));
  return {
    checked,
    check,
    state: {
      blockAffinities: listBlockAffinities(checked),
      ipam: { ...summarised.summary, check: check?.report.summary ?? null },
      tigeraStatus: summariseTigeraStatus(checked.tigerastatuses),
      check: check?.report ?? null,
      warnings: capped([...checked.warnings, ...summarised.warnings, ...(check?.warnings ?? []), ...unreadable]),
    },
  };
}

/** Warnings shown per read: a cluster of odd objects gets a summary line, not one line each. */
export const MAX_WARNINGS = 20;

function capped(warnings: string[]): string[] {
  if (warnings.length <= MAX_WARNINGS) return warnings;
  return [...warnings.slice(0, MAX_WARNINGS - 1), `and ${warnings.length - MAX_WARNINGS + 1} more warnings like these`];
}

/** What the outputs hold when the cluster could not be read. */
export const EMPTY_IPAM_STATE: IpamState = {
  blockAffinities: [],
  ipam: { pools: [], blocks: [], orphanBlocks: [], nodes: [], check: null },
  tigeraStatus: {},
  check: null,
  warnings: [],
};

export function stateFromSnapshot(snapshot: IpamSnapshot): IpamState {
  return analyseSnapshot(snapshot).state;
}

/** THE read used by the stack outputs and by `npm run ipam`. */
export async function readIpamState(kubeconfigYaml: string, opts: SnapshotOptions = {}): Promise<IpamState> {
  return stateFromSnapshot(await readIpamSnapshot(kubeconfigYaml, opts));
}
