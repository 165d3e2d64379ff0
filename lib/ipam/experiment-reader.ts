// The reads behind the experiments: the cluster's pools before a change (what the operator will do),
// and the workloads' pods once they have settled (a bounded wait: a pod that never gets an address is
// reported with Calico's reason, never waited on).
import { connect, getObject, listCustom, listObjects, type KubeClients, type ReadOptions, type ResourceRef } from "../core/kube";
import { livePool, type IPPoolObject, type LivePool } from "../calico/pool-changes";
import { CALICO_RESOURCES } from "./reader";
import {
  SANDBOX_FAILURE, workloadReport, workloadsSettled, type BlockObject, type EventObject, type NamespaceObject, type PodObject,
  type PoolObject, type WorkloadReport,
} from "./workload-report";
import { WORKLOAD_COMPONENT, type WorkloadQuery } from "./workloads";

export interface SettleOptions extends ReadOptions {
  /** Longest wait for pods to get an address or a reason; then the read reports them as they are. */
  settleMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const WORKLOAD_SETTLE_MS = 90_000;
const POLL_MS = 3_000;
const core = (plural: string, kind: string): ResourceRef => ({ group: "", version: "v1", plural, kind });

/** The cluster's IP pools as the operator compares them. */
export async function readLivePools(kubeconfigYaml: string, opts: ReadOptions = {}): Promise<LivePool[]> {
  const clients = connect(kubeconfigYaml, opts);
  const pools = await listCustom<IPPoolObject>(clients, CALICO_RESOURCES.ippools, opts);
  return pools.map(livePool).filter((p): p is LivePool => p !== undefined);
}

async function podsAndEvents(clients: KubeClients, namespaces: string[]): Promise<{ pods: PodObject[]; events: EventObject[] }> {
  const pods: PodObject[] = [];
  const events: EventObject[] = [];
  for (const namespace of namespaces) {
    pods.push(...((await listObjects(clients, core("pods", "Pod"), { namespace, labelSelector: `app.kubernetes.io/component=${WORKLOAD_COMPONENT}` })) as PodObject[]));
    events.push(...((await listObjects(clients, core("events", "Event"), { namespace, fieldSelector: `involvedObject.kind=Pod,reason=${SANDBOX_FAILURE}` })) as EventObject[]));
  }
  return { pods, events };
}

async function readNamespaces(clients: KubeClients, names: string[]): Promise<NamespaceObject[]> {
  const found = await Promise.all(names.map((name) => getObject<NamespaceObject>(clients, core("namespaces", "Namespace"), name)));
  return found.filter((n): n is NamespaceObject => n !== undefined);
}

/**
 * Reads the workloads' pods until every one has an address or a reason it has none (or settleMs
 * passes), then the pools and blocks their addresses came from.
 */
export async function readWorkloads(kubeconfigYaml: string, queries: WorkloadQuery[], opts: SettleOptions = {}): Promise<WorkloadReport[]> {
  if (queries.length === 0) return [];
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clients = connect(kubeconfigYaml, opts);
  const namespaces = [...new Set(queries.map((q) => q.namespace))];
  const deadline = now() + (opts.settleMs ?? WORKLOAD_SETTLE_MS);
  let observed = await podsAndEvents(clients, namespaces);
  while (!workloadsSettled(queries, observed) && now() < deadline) {
    await sleep(opts.pollMs ?? POLL_MS);
    observed = await podsAndEvents(clients, namespaces);
  }
  const [namespaceObjects, pools, blocks] = await Promise.all([
    readNamespaces(clients, namespaces),
    listCustom<PoolObject>(clients, CALICO_RESOURCES.ippools, opts),
    listCustom<BlockObject>(clients, CALICO_RESOURCES.ipamblocks, opts),
  ]);
  return workloadReport(queries, { ...observed, namespaces: namespaceObjects, pools, blocks });
}
