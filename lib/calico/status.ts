// What the Tigera operator says about Calico: the TigeraStatus objects it keeps per component
// (calico, apiserver, ippools, ...), summarised for the stack outputs and the readiness wait.
import type { ObjectMeta, ResourceRef } from "../core/kube";

export const TIGERASTATUSES: ResourceRef = { group: "operator.tigera.io", version: "v1", plural: "tigerastatuses", kind: "TigeraStatus" };
export const INSTALLATIONS: ResourceRef = { group: "operator.tigera.io", version: "v1", plural: "installations", kind: "Installation" };
export const APISERVERS: ResourceRef = { group: "operator.tigera.io", version: "v1", plural: "apiservers", kind: "APIServer" };

export interface TigeraStatusCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | Date;
  /** The generation of the object the operator reconciled (the Installation, or the APIServer). */
  observedGeneration?: number;
}

export interface TigeraStatus {
  metadata?: ObjectMeta;
  status?: { conditions?: TigeraStatusCondition[] };
}

export interface ComponentStatus {
  available: boolean;
  progressing: boolean;
  degraded: boolean;
  /** The operator's most relevant message: Degraded's, else Progressing's, else Available's. */
  message: string;
}

/** Keyed by TigeraStatus name (calico, apiserver, ippools, ...). */
export type TigeraStatusSummary = Record<string, ComponentStatus>;

export function findCondition(status: TigeraStatus | undefined, type: string): TigeraStatusCondition | undefined {
  return status?.status?.conditions?.find((c) => c.type === type);
}

export function summariseComponent(status: TigeraStatus): ComponentStatus {
  const available = findCondition(status, "Available");
  const progressing = findCondition(status, "Progressing");
  const degraded = findCondition(status, "Degraded");
  const result = {
    available: available?.status === "True",
    progressing: progressing?.status === "True",
    degraded: degraded?.status === "True",
  };
  const order = result.degraded
    ? [degraded, progressing, available]
    : !result.available
      ? [progressing, available, degraded]
      : [available, progressing, degraded];
  const message = order.map((c) => c?.message || c?.reason || "").find((m) => m !== "") ?? "";
  return { ...result, message };
}

export function summariseTigeraStatus(list: TigeraStatus[]): TigeraStatusSummary {
  // By name; a name listed twice keeps its last object, as a re-read would.
  const byName = new Map(list.filter((s) => s.metadata?.name).map((s) => [s.metadata?.name as string, s]));
  const summary: TigeraStatusSummary = {};
  for (const name of [...byName.keys()].sort()) summary[name] = summariseComponent(byName.get(name) as TigeraStatus);
  return summary;
}
