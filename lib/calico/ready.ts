// Waits for the Tigera operator to report Calico available, for the current Installation and
// APIServer, telling the caller what it still waits for. The times it reports are read from the
// cluster's own timestamps, not measured here; those move on an upgrade or a restart, so the stack
// keeps the first reading of an install (lib/calico/recorded-timings.ts).
import { connect, getCustom, KubeReadError, listCustom, listObjects, type KubeClients, type ObjectMeta, type ReadOptions } from "../core/kube";
import {
  APISERVERS, findCondition, INSTALLATIONS, summariseTigeraStatus, TIGERASTATUSES,
  type TigeraStatus, type TigeraStatusCondition, type TigeraStatusSummary,
} from "./status";

/**
 * What must be Available: Calico itself, its API server, and (operator >= v1.34) the lab's IP pools,
 * so "ready" never comes before the pool exists.
 */
export const READY_COMPONENTS = ["calico", "apiserver", "ippools"] as const;

/**
 * The object whose generation each component's conditions observe: tigera/operator v1.38.13 calls
 * status.SetMetaData with the Installation in pkg/controller/installation/core_controller.go (calico)
 * and pkg/controller/ippool/pool_controller.go (ippools), and with the APIServer in
 * pkg/controller/apiserver/apiserver_controller.go. An Available with an older generation is stale.
 */
const OBSERVED_OBJECT: Record<string, "Installation" | "APIServer"> = {
  calico: "Installation",
  ippools: "Installation",
  apiserver: "APIServer",
};

export interface CalicoProgress {
  elapsedMs: number;
  timeoutMs: number;
  /** One line per component not ready yet, saying why. */
  waitingFor: string[];
}

export interface CalicoReadyOptions {
  /** TigeraStatus names that must be Available, current and not Degraded. */
  components?: readonly string[];
  timeoutMs?: number;
  pollMs?: number;
  /** Told what is still missing: when that changes, and at least every progressEveryMs while waiting. */
  onProgress?: (progress: CalicoProgress) => void;
  progressEveryMs?: number;
  /** Injected clock and sleep, so tests run the whole wait without real time passing. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per-request settings of the reads. */
  read?: ReadOptions;
}

/** Seconds per stage, by the cluster's clock; a stage the cluster does not show is left out. */
export type CalicoTimings = {
  /** The operator's pod: created to Ready (its image pull included). */
  operatorRunningSeconds?: number;
  /** Installation created to calico-node running on every node (the Calico images are there). */
  calicoNodesRunningSeconds?: number;
  /** Installation created to the last component Available. */
  calicoReadySeconds?: number;
};

export interface CalicoReady {
  timings: CalicoTimings;
  /** The Installation's uid: the install every stage counts from (undefined when it could not be read). */
  installationUid?: string;
  tigeraStatus: TigeraStatusSummary;
}

interface Generational {
  metadata?: ObjectMeta & { generation?: number };
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_PROGRESS_EVERY_MS = 30_000;

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest}s`;
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
}

function quoted(condition: TigeraStatusCondition): string {
  const text = condition.message || condition.reason;
  return text ? `${condition.type}: ${JSON.stringify(text)}` : `${condition.type}, no message from the operator`;
}

/**
 * Why one component is not ready, or undefined when it is. `current` is the generation of the object
 * it observes (undefined: not known, so not checked).
 */
export function componentProblem(name: string, status: TigeraStatus | undefined, current?: { kind: string; generation: number }): string | undefined {
  if (!status) return `TigeraStatus "${name}" not created yet by the operator`;
  const available = findCondition(status, "Available");
  const progressing = findCondition(status, "Progressing");
  const degraded = findCondition(status, "Degraded");
  const isDegraded = degraded?.status === "True";
  const observed = available?.observedGeneration;
  const stale = current !== undefined && observed !== undefined && observed < current.generation;
  if (available?.status === "True" && !isDegraded && !stale) return undefined;
  if (available?.status === "True" && !isDegraded) {
    return `TigeraStatus "${name}" is Available for an older ${current?.kind} (generation ${observed}, now ${current?.generation}): the operator has not applied the last change yet`;
  }
  // The operator explains itself in whichever condition is active; Degraded says the most.
  const explaining = [isDegraded ? degraded : undefined, progressing, available, degraded].find(
    (c): c is TigeraStatusCondition => !!c && !!(c.message || c.reason),
  );
  const why = explaining ? ` (${quoted(explaining)})` : " (no conditions reported yet)";
  return available?.status === "True"
    ? `TigeraStatus "${name}" is Degraded${why}`
    : `TigeraStatus "${name}" is not Available${why}`;
}

/** Milliseconds of a Kubernetes timestamp (client-node hands back strings or Dates); NaN when absent. */
export function timeOf(value: string | Date | undefined): number {
  if (value === undefined) return NaN;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/** Whole seconds from start to end (never negative); undefined when either is unknown. */
export function secondsBetween(start: number, end: number): number | undefined {
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, Math.round((end - start) / 1000)) : undefined;
}

/**
 * Latest Available transition of the components minus the start of the installation; undefined
 * when a time is missing, so the stage is left out like the others (never reported as 0 s).
 */
export function readySecondsFrom(statuses: TigeraStatus[], installation: { metadata?: ObjectMeta } | undefined): number | undefined {
  const ready = Math.max(...statuses.map((s) => timeOf(findCondition(s, "Available")?.lastTransitionTime)));
  let start = timeOf(installation?.metadata?.creationTimestamp);
  // Without an Installation (someone deleted it), the operator's first status object is the next best start.
  if (!Number.isFinite(start)) start = Math.min(...statuses.map((s) => timeOf(s.metadata?.creationTimestamp)));
  return secondsBetween(start, ready);
}

/** The pod fields the stage timings read (as client-node returns them). */
export interface PodTimes {
  metadata?: { creationTimestamp?: string | Date };
  status?: {
    conditions?: { type?: string; status?: string; lastTransitionTime?: string | Date }[];
    containerStatuses?: { name?: string; state?: { running?: { startedAt?: string | Date } } }[];
  };
}

/** The operator pod's creation to Ready; the latest Ready pod when there are several. */
export function operatorRunningSeconds(pods: PodTimes[]): number | undefined {
  const spans = pods.flatMap((pod) => {
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
    const span = secondsBetween(timeOf(pod.metadata?.creationTimestamp), timeOf(ready?.lastTransitionTime));
    return span === undefined ? [] : [span];
  });
  return spans.length > 0 ? spans[spans.length - 1] : undefined;
}

/** Installation created to the last calico-node container running; undefined unless all of them run. */
export function calicoNodesRunningSeconds(pods: PodTimes[], installationCreated: string | Date | undefined): number | undefined {
  const started = pods.map((pod) => timeOf(pod.status?.containerStatuses?.find((c) => c.name === "calico-node")?.state?.running?.startedAt));
  if (started.length === 0 || started.some((t) => !Number.isFinite(t))) return undefined;
  return secondsBetween(timeOf(installationCreated), Math.max(...started));
}

async function listPods(clients: KubeClients, namespace: string, labelSelector: string): Promise<PodTimes[]> {
  return (await listObjects(clients, { group: "", version: "v1", plural: "pods", kind: "Pod" }, { namespace, labelSelector })) as PodTimes[];
}

/** The stages before Calico Available, read once it is; a stage that cannot be read is left out. */
async function stageTimings(clients: KubeClients, installation: Generational | undefined): Promise<CalicoTimings> {
  const read = async <T>(what: () => Promise<T>): Promise<T | undefined> => what().catch(() => undefined);
  const operator = await read(() => listPods(clients, "tigera-operator", "k8s-app=tigera-operator"));
  const nodes = await read(() => listPods(clients, "calico-system", "k8s-app=calico-node"));
  const timings: CalicoTimings = {};
  const operatorSeconds = operator && operatorRunningSeconds(operator);
  if (operatorSeconds !== undefined) timings.operatorRunningSeconds = operatorSeconds;
  const nodesSeconds = nodes && calicoNodesRunningSeconds(nodes, installation?.metadata?.creationTimestamp);
  if (nodesSeconds !== undefined) timings.calicoNodesRunningSeconds = nodesSeconds;
  return timings;
}

/** Calls onProgress when what is missing changes, and at least every `everyMs` while it does not. */
export function progressReporter(onProgress: ((p: CalicoProgress) => void) | undefined, everyMs: number) {
  let last: { text: string; at: number } | undefined;
  return (progress: CalicoProgress): void => {
    if (!onProgress) return;
    const text = progress.waitingFor.join("\n");
    if (last && last.text === text && progress.elapsedMs - last.at < everyMs) return;
    last = { text, at: progress.elapsedMs };
    onProgress(progress);
  };
}

export async function waitForCalicoReady(kubeconfigYaml: string, opts: CalicoReadyOptions = {}): Promise<CalicoReady> {
  const components = opts.components ?? READY_COMPONENTS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = opts.pollMs ?? 5000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const report = progressReporter(opts.onProgress, opts.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS);
  const clients = connect(kubeconfigYaml, opts.read);
  const started = now();

  for (;;) {
    let problems: string[];
    try {
      const statuses = await listCustom<TigeraStatus>(clients, TIGERASTATUSES, opts.read);
      const installation = await getCustom<Generational>(clients, INSTALLATIONS, "default");
      const apiServer = await getCustom<Generational>(clients, APISERVERS, "default");
      const observed = { Installation: installation, APIServer: apiServer };
      const byName = new Map(statuses.map((s) => [s.metadata?.name ?? "", s]));
      const wanted = components.map((name) => byName.get(name));
      problems = components
        .map((name, i) => {
          const kind = OBSERVED_OBJECT[name];
          const generation = kind ? observed[kind]?.metadata?.generation : undefined;
          return componentProblem(name, wanted[i], kind && generation !== undefined ? { kind, generation } : undefined);
        })
        .filter((p): p is string => !!p);
      if (problems.length === 0) {
        const timings = await stageTimings(clients, installation);
        const readySeconds = readySecondsFrom(wanted as TigeraStatus[], installation);
        if (readySeconds !== undefined) timings.calicoReadySeconds = readySeconds;
        const installationUid = installation?.metadata?.uid;
        return { timings, ...(installationUid ? { installationUid } : {}), tigeraStatus: summariseTigeraStatus(statuses) };
      }
    } catch (err) {
      // Missing CRDs and a restarting API server are normal early in an install; a 403 never heals.
      if (!(err instanceof KubeReadError) || err.kind === "forbidden") throw err;
      problems = [`TigeraStatus could not be read (${err.message})`];
    }
    const elapsed = now() - started;
    if (elapsed >= timeoutMs) {
      throw new Error(`Calico not ready after ${formatDuration(timeoutMs)}: ${problems.join("; ")}; see kubectl get tigerastatus`);
    }
    report({ elapsedMs: elapsed, timeoutMs, waitingFor: problems });
    await sleep(Math.min(pollMs, timeoutMs - elapsed));
  }
}
