// The namespaces and Deployments the lab would create on a cluster it did not make (target existing),
// and whether the cluster already has them. The kubernetes provider upserts (server-side apply) an
// object that is already there (pulumi-kubernetes await/await.go Creation, UpsertExistingObjects),
// and the engine later deletes it, a namespace with everything in it, when the config stops asking
// for it or on destroy (await.go Deletion). So the stack marks what it makes, and refuses, before
// anything is declared, to take over what it did not.
import { getObject, type KubeClients, type ResourceRef } from "../core/kube";

/** On every namespace and Deployment the lab makes: the `<project>/<stack>` that made it. */
export const STACK_ANNOTATION = "calico-ipam/stack";

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
  Namespace: { group: "", version: "v1", plural: "namespaces" },
  Deployment: { group: "apps", version: "v1", plural: "deployments" },
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
    return [{ o, line: `  - ${o.key}: ${shown(o)} is already in this cluster, ${whose}: ${o.instead}` }];
  });
  if (taken.length === 0) return undefined;
  const first = taken[0].o;
  return (
    `calico-ipam: the config asks for objects this cluster already has, which this stack did not make: the lab would take ` +
    `each over and delete it on destroy (a namespace with everything in it). Nothing was changed.\n` +
    taken.map((t) => t.line).join("\n") +
    `\nIf this stack did make one (a lab from before it marked its objects), mark it as this stack's, e.g. ` +
    `kubectl annotate ${first.kind === "Namespace" ? "namespace" : `-n ${first.namespace} deployment`} ${first.name} ${STACK_ANNOTATION}=${thisStack}`
  );
}
