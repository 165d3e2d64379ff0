// What the Tigera operator will do with the cluster's IP pools when the Installation changes, so the
// preview can say it before it happens. Read from tigera/operator v1.38.13 (commit 43aa9e8):
// - pkg/controller/ippool/pool_controller.go Reconcile: pools are matched by CIDR; a pool the operator
//   does not own (no app.kubernetes.io/managed-by=tigera-operator label) is taken over only when it
//   matches the Installation's pool exactly, and otherwise never touched; every desired pool is created or updated BY NAME through the Calico API server, in the
//   Installation's order, and the first failure stops the pass (utils/component.go
//   CreateOrUpdateOrDelete returns on the first error), so later pools and every deletion wait;
//   owned pools missing from the Installation are deleted after that.
// - Calico's API server (libcalico-go clientv3/ippool.go, v3.30.7) refuses "IPPool CIDR cannot be
//   modified" and "IPPool BlockSize cannot be modified" on update, a new pool overlapping any pool,
//   and deletes a pool by disabling it, releasing its blocks' affinities, then deleting it: pods
//   keep their addresses until they restart.
import type { Encapsulation, PoolSettings } from "../core/types";
import { cidrsOverlap, parseCidr, type Cidr } from "../core/cidr";

/** A pool as the cluster holds it (crd.projectcalico.org/v1 IPPool), reduced to what the operator compares. */
export interface LivePool {
  name: string;
  cidr: string;
  blockSize: number;
  nodeSelector: string;
  encapsulation: Encapsulation;
  natOutgoing: boolean;
  disabled: boolean;
  assignmentMode: string;
  /** Created by the operator (label app.kubernetes.io/managed-by=tigera-operator). */
  ownedByOperator: boolean;
}

export type PoolChangeKind = "unchanged" | "create" | "update" | "delete" | "refused" | "blocked";

export interface PoolChange {
  pool: string;
  cidr: string;
  change: PoolChangeKind;
  /** What the operator does, and what that means for the pods in the pool. */
  effect: string;
}

/** The subset of a crd.projectcalico.org/v1 IPPool the plan reads. */
export interface IPPoolObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: {
    cidr?: string;
    blockSize?: number;
    nodeSelector?: string;
    vxlanMode?: string;
    ipipMode?: string;
    natOutgoing?: boolean;
    disabled?: boolean;
    assignmentMode?: string;
  };
}

const MANAGED_BY = "app.kubernetes.io/managed-by";

/** The v1 modes back to the operator's encapsulation (api/v1 installation_types.go ToProjectCalicoV1). */
function encapsulationOf(spec: NonNullable<IPPoolObject["spec"]>): Encapsulation {
  if (spec.vxlanMode === "Always") return "VXLAN";
  if (spec.vxlanMode === "CrossSubnet") return "VXLANCrossSubnet";
  if (spec.ipipMode === "Always") return "IPIP";
  if (spec.ipipMode === "CrossSubnet") return "IPIPCrossSubnet";
  return "None";
}

export function livePool(object: IPPoolObject): LivePool | undefined {
  const spec = object.spec;
  if (!spec?.cidr || !object.metadata?.name) return undefined;
  const cidr = parseCidr(spec.cidr);
  return {
    name: object.metadata.name,
    cidr: cidr.ok ? cidr.cidr.text : spec.cidr,
    blockSize: spec.blockSize ?? (spec.cidr.includes(":") ? 122 : 26),
    nodeSelector: spec.nodeSelector ?? "all()",
    encapsulation: encapsulationOf(spec),
    natOutgoing: spec.natOutgoing ?? false,
    disabled: spec.disabled ?? false,
    assignmentMode: spec.assignmentMode ?? "Automatic",
    ownedByOperator: object.metadata.labels?.[MANAGED_BY] === "tigera-operator",
  };
}

function net(text: string): Cidr | undefined {
  const r = parseCidr(text);
  return r.ok ? r.cidr : undefined;
}

function overlaps(a: string, b: string): boolean {
  const na = net(a);
  const nb = net(b);
  return Boolean(na && nb && cidrsOverlap(na, nb));
}

/** Fields an in-place update changes, and what each means for pods. */
function updates(live: LivePool, want: PoolSettings): string[] {
  const out: string[] = [];
  if (live.disabled !== want.disableNewAllocations) {
    out.push(want.disableNewAllocations
      ? "disableNewAllocations: no new address comes from it; pods in it keep theirs until they restart"
      : "disableNewAllocations off: new pods may get addresses from it again");
  }
  if (live.nodeSelector !== want.nodeSelector) {
    out.push(`nodeSelector ${JSON.stringify(live.nodeSelector)} -> ${JSON.stringify(want.nodeSelector)}: only new addresses follow it; blocks already claimed stay with their nodes`);
  }
  if (live.encapsulation !== want.encapsulation) out.push(`encapsulation ${live.encapsulation} -> ${want.encapsulation}: routes change, addresses stay`);
  if (live.natOutgoing !== (want.natOutgoing === "Enabled")) out.push(`natOutgoing ${want.natOutgoing}: addresses stay`);
  if (live.assignmentMode !== want.assignmentMode) {
    out.push(`assignmentMode ${want.assignmentMode}: ${want.assignmentMode === "Manual" ? "only pods naming the pool get its addresses" : "any pod its nodeSelector allows may get its addresses"}`);
  }
  return out;
}

function changeFor(want: PoolSettings, live: LivePool[]): PoolChange {
  const base = { pool: want.name, cidr: want.cidr };
  const sameCidr = live.find((p) => p.cidr === want.cidr);
  if (sameCidr && !sameCidr.ownedByOperator) {
    // The operator takes over an unlabelled pool only when it matches the Installation's exactly.
    if (sameCidr.name === want.name && sameCidr.blockSize === want.blockSize && updates(sameCidr, want).length === 0) {
      return { ...base, change: "unchanged", effect: "taken over by the operator: it matches the Installation's pool exactly" };
    }
    return { ...base, change: "refused", effect: `pool ${sameCidr.name} has this CIDR but was not created by the operator, which changes it only if it matches the Installation's pool exactly; ` +
      `declare it as it is in the cluster, or remove it from the cluster first` };
  }
  if (sameCidr && sameCidr.name !== want.name) {
    return { ...base, change: "refused", effect: `a rename: the operator would create ${want.name} beside ${sameCidr.name}, and Calico refuses a pool overlapping another; keep the name ${sameCidr.name}` };
  }
  if (sameCidr) {
    if (sameCidr.blockSize !== want.blockSize) {
      return { ...base, change: "refused", effect: `Calico refuses it ("IPPool BlockSize cannot be modified"): the pool keeps /${sameCidr.blockSize} blocks and its pods their addresses; ` +
        `to change the block size, add a pool with a new name and range and migrate to it (README: Experiments, recipe 5)` };
    }
    const changed = updates(sameCidr, want);
    return changed.length === 0 ? { ...base, change: "unchanged", effect: "no change" } : { ...base, change: "update", effect: `updated in place: ${changed.join("; ")}` };
  }
  const sameName = live.find((p) => p.name === want.name);
  if (sameName) {
    return { ...base, change: "refused", effect: `Calico refuses it ("IPPool CIDR cannot be modified"): ${want.name} stays ${sameName.cidr} and its pods keep their addresses; ` +
      `to move pods, add a pool with a new name and range, disable this one and restart the pods (README: Experiments, recipe 5)` };
  }
  const clash = live.find((p) => overlaps(p.cidr, want.cidr));
  if (clash) {
    return { ...base, change: "refused", effect: `overlaps pool ${clash.name} (${clash.cidr}), and the operator creates new pools before it deletes old ones: Calico refuses the overlap; ` +
      `remove ${clash.name} in an earlier run, or choose a range that does not overlap it (or a new podCidr, which replaces the cluster)` };
  }
  return { ...base, change: "create", effect: "created: new pods on the nodes its nodeSelector selects may get addresses from it" };
}

/**
 * The operator's next pass over the pools, in its order: desired pools first, then deletions. A run
 * that replaces the cluster never plans against the old one: the new cluster's kubeconfig is unknown
 * in the preview and only known in `pulumi up` once that cluster exists (components/cluster.ts).
 */
export function planPoolChanges(live: LivePool[], desired: PoolSettings[]): PoolChange[] {
  const changes: PoolChange[] = [];
  let stopped: string | undefined;
  for (const want of desired) {
    const change = changeFor(want, live);
    if (stopped && change.change !== "unchanged") {
      changes.push({ pool: want.name, cidr: want.cidr, change: "blocked", effect: `waits: the operator stops at ${stopped}, which it cannot apply` });
      continue;
    }
    if (change.change === "refused") stopped ??= want.name;
    changes.push(change);
  }
  for (const gone of live.filter((p) => p.ownedByOperator && !desired.some((d) => d.cidr === p.cidr))) {
    changes.push(stopped
      ? { pool: gone.name, cidr: gone.cidr, change: "blocked", effect: `stays: the operator deletes pools only after every other pool change succeeded, and it stops at ${stopped}` }
      : { pool: gone.name, cidr: gone.cidr, change: "delete", effect: "deleted through the Calico API server: disabled first, its blocks' affinities released; pods in it keep their addresses until they restart, their blocks then belong to no pool" });
  }
  return changes;
}
