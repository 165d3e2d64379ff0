// The namespaces and Deployments the lab would create on a cluster it did not make (target existing),
// and whether the cluster already has them. The kubernetes provider upserts (server-side apply) an
// object that is already there (pulumi-kubernetes await/await.go Creation, UpsertExistingObjects),
// and the engine later deletes it, a namespace with everything in it, when the config stops asking
// for it or on destroy (await.go Deletion). So the stack marks what it makes, and refuses, before
// anything is declared, to take over what it did not.
import { getObject, type KubeClients, type ResourceRef } from "../core/kube";

/** On every namespace and Deployment the lab makes: the stack that made it (stackIdentity). */
export const STACK_ANNOTATION = "calico-ipam/stack";

/**
 * What the owner record and the marks name as their maker: `<project>/<stack>@<stackId>`. The stack's
 * name alone is not enough: every lab run through `npm run up` is `calico-ipam/dev` unless its user
 * chose otherwise, so two labs on one cluster would each take the other's objects as their own.
 * Without a stackId (stacks made before it, or by the Pulumi CLI directly) it is the name alone.
 */
export function stackIdentity(project: string, stack: string, stackId: string | undefined): string {
  return stackId ? `${project}/${stack}@${stackId}` : `${project}/${stack}`;
}

/**
 * When `maker` is a stack of this stack's name with another stackId (or none): the one way it may be
 * this stack after all, its calico-ipam:stackId changed or lost (Pulumi.<stack>.yaml replaced).
 */
export function sameNameHint(maker: string, thisStack: string): string {
  const [name, id] = maker.split("@");
  if (maker === thisStack || name !== thisStack.split("@")[0]) return "";
  const was = id ? `was "${id}"` : "was not set";
  return ` If, and only if, that is this very stack (its state, not another copy of the lab), its calico-ipam:stackId ${was}: ` +
    `set it back${id ? ` (npm run pulumi -- config set calico-ipam:stackId ${id})` : " (npm run pulumi -- config rm calico-ipam:stackId)"}.`;
}

/** An object the config asks the lab to create, and the config key that asks for it. */
export interface LabObject {
  kind: "Namespace" | "Deployment";
  /** For a Deployment. */
  namespace?: string;
  name: string;
  /** Such as `calico-ipam:workloads[1].namespace`. */
  key: string;
  /** What to change instead, said after the problem. */
  instead: string;
  /**
   * Every run of a stack that installed Calico here made it (the probe's namespace): unmarked, as
   * before the lab marked its objects, it is this stack's when the owner record is.
   */
  madeWithCalico?: boolean;
}

/** One of those the cluster already has, with the stack its annotation names (if any). */
export interface FoundObject {
  kind: LabObject["kind"];
  namespace?: string;
  name: string;
  stack?: string;
}

const REFS: Record<LabObject["kind"], ResourceRef> = {
  Namespace: { group: "", version: "v1", plural: "namespaces", kind: "Namespace" },
  Deployment: { group: "apps", version: "v1", plural: "deployments", kind: "Deployment" },
};

const shown = (o: { kind: string; namespace?: string; name: string }): string =>
  o.kind === "Namespace" ? `namespace ${o.name}` : `Deployment ${o.namespace}/${o.name}`;

/** The objects of `wanted` the cluster has (a 404 is "not there"). */
export async function readExistingObjects(clients: KubeClients, wanted: LabObject[]): Promise<FoundObject[]> {
  const found = await Promise.all(wanted.map(async (o): Promise<FoundObject | undefined> => {
    const live = await getObject<{ metadata?: { annotations?: Record<string, string> } }>(clients, REFS[o.kind], o.name, o.namespace);
    if (!live) return undefined;
    const stack = live.metadata?.annotations?.[STACK_ANNOTATION];
    return { kind: o.kind, ...(o.namespace ? { namespace: o.namespace } : {}), name: o.name, ...(stack ? { stack } : {}) };
  }));
  return found.filter((f): f is FoundObject => f !== undefined);
}

/**
 * Every object the config asks for that the cluster has and this stack did not make; undefined when
 * none. `ownsCalico`: the owner record (lib/cluster/existing-cluster.ts) names this stack.
 */
export function takeoverProblem(wanted: LabObject[], found: FoundObject[], thisStack: string, ownsCalico: boolean): string | undefined {
  const taken = wanted.flatMap((o) => {
    const live = found.find((f) => f.kind === o.kind && f.name === o.name && f.namespace === o.namespace);
    if (!live || live.stack === thisStack || (live.stack === undefined && o.madeWithCalico && ownsCalico)) return [];
    const whose = live.stack ? `made by the calico-ipam stack "${live.stack}"` : `not made by this stack`;
    return [{ o, live, line: `  - ${o.key}: ${shown(o)} is already in this cluster, ${whose}: ${o.instead}` }];
  });
  if (taken.length === 0) return undefined;
  // Only an unmarked object may be this stack's own, from before the lab marked what it makes.
  const unmarked = taken.filter((t) => t.live.stack === undefined).map((t) => t.o);
  const marking = unmarked.map((o) =>
    `  kubectl annotate ${o.kind === "Namespace" ? "namespace" : `-n ${o.namespace} deployment`} ${o.name} ${STACK_ANNOTATION}=${thisStack}`);
  const hints = [...new Set(taken.flatMap((t) => (t.live.stack ? [sameNameHint(t.live.stack, thisStack)] : [])))].filter(Boolean);
  return (
    `calico-ipam: the config asks for objects this cluster already has, which this stack did not make: the lab would take ` +
    `each over and delete it on destroy (a namespace with everything in it). Nothing was changed.\n` +
    taken.map((t) => t.line).join("\n") +
    (marking.length > 0
      ? `\nIf this stack did make ${marking.length === 1 ? "it" : "them"} (a lab from before it marked its objects), mark ` +
        `${marking.length === 1 ? "it" : "each"} as this stack's:\n${marking.join("\n")}`
      : "") +
    hints.map((h) => `\n${h.trim()}`).join("")
  );
}
