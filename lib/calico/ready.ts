// Waits for the Tigera operator to report Calico available. The time it reports is read from the
// cluster's own timestamps, not measured here, so every `pulumi up` after the first shows the same value.
import { connect, getCustom, KubeReadError, listCustom, type ObjectMeta, type ReadOptions } from "../core/kube";
import {
  findCondition, INSTALLATIONS, summariseTigeraStatus, TIGERASTATUSES,
  type TigeraStatus, type TigeraStatusCondition, type TigeraStatusSummary,
} from "./status";

export interface CalicoReadyOptions {
  /** TigeraStatus names that must be Available and not Degraded. */
  components?: string[];
  timeoutMs?: number;
  pollMs?: number;
  /** Injected clock and sleep, so tests run the whole wait without real time passing. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per-request settings of the reads. */
  read?: ReadOptions;
}

export interface CalicoReady {
  /** Seconds from the Installation's creation to the last named component becoming Available. */
  readySeconds: number;
  tigeraStatus: TigeraStatusSummary;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;

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

/** Why one component is not ready, or undefined when it is. */
export function componentProblem(name: string, status: TigeraStatus | undefined): string | undefined {
  if (!status) return `TigeraStatus "${name}" not created yet by the operator`;
  const available = findCondition(status, "Available");
  const progressing = findCondition(status, "Progressing");
  const degraded = findCondition(status, "Degraded");
  const isDegraded = degraded?.status === "True";
  if (available?.status === "True" && !isDegraded) return undefined;
  // The operator explains itself in whichever condition is active; Degraded says the most.
  const explaining = [isDegraded ? degraded : undefined, progressing, available, degraded].find(
    (c): c is TigeraStatusCondition => !!c && !!(c.message || c.reason),
  );
  const why = explaining ? ` (${quoted(explaining)})` : " (no conditions reported yet)";
  return available?.status === "True"
    ? `TigeraStatus "${name}" is Degraded${why}`
    : `TigeraStatus "${name}" is not Available${why}`;
}

function timeOf(value: string | Date | undefined): number {
  if (value === undefined) return NaN;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/** Latest Available transition of the components minus the start of the installation. */
export function readySecondsFrom(statuses: TigeraStatus[], installation: { metadata?: ObjectMeta } | undefined): number {
  const ready = Math.max(...statuses.map((s) => timeOf(findCondition(s, "Available")?.lastTransitionTime)));
  let start = timeOf(installation?.metadata?.creationTimestamp);
  // Without an Installation (someone deleted it), the operator's first status object is the next best start.
  if (!Number.isFinite(start)) start = Math.min(...statuses.map((s) => timeOf(s.metadata?.creationTimestamp)));
  if (!Number.isFinite(ready) || !Number.isFinite(start)) return 0;
  return Math.max(0, Math.round((ready - start) / 1000));
}

export async function waitForCalicoReady(kubeconfigYaml: string, opts: CalicoReadyOptions = {}): Promise<CalicoReady> {
  const components = opts.components ?? ["calico", "apiserver"];
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = opts.pollMs ?? 5000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clients = connect(kubeconfigYaml, opts.read);
  const started = now();

  for (;;) {
    let problems: string[];
    try {
      const statuses = await listCustom<TigeraStatus>(clients, TIGERASTATUSES, opts.read);
      const byName = new Map(statuses.map((s) => [s.metadata?.name ?? "", s]));
      const wanted = components.map((name) => byName.get(name));
      problems = components.map((name, i) => componentProblem(name, wanted[i])).filter((p): p is string => !!p);
      if (problems.length === 0) {
        const installation = await getCustom<{ metadata?: ObjectMeta }>(clients, INSTALLATIONS, "default");
        return {
          readySeconds: readySecondsFrom(wanted as TigeraStatus[], installation),
          tigeraStatus: summariseTigeraStatus(statuses),
        };
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
    await sleep(Math.min(pollMs, timeoutMs - elapsed));
  }
}
