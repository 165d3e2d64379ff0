// What the IPAM experiments declare in the cluster, as plain objects: namespaces annotated with their
// pools, Deployments of pause pods (optionally asking for pools, or pinned to a node), the worker
// labels kept current, and the cluster's IPAMConfiguration. Pure: tested and schema-checked directly.
import { createHash } from "node:crypto";
import type { V1Deployment, V1PodTemplateSpec } from "@kubernetes/client-node";
import type { LabConfig, WorkloadConfig } from "../config";
import { kindNodeNames, type PoolSettings } from "../core/types";
import { at } from "../config/structured";
import type { LabObject } from "../cluster/existing-objects";
import { pausePodSpec } from "./probe";

/** Calico CNI reads these, on the pod first and then on its namespace (cni-plugin/pkg/k8s/k8s.go, v3.30.7). */
export const POOL_ANNOTATIONS = { IPv4: "cni.projectcalico.org/ipv4pools", IPv6: "cni.projectcalico.org/ipv6pools" } as const;
/** Every workload pod carries it; its value identifies the pod template, so a read skips pods of an older rollout. */
export const TEMPLATE_LABEL = "calico-ipam/template";
export const ROLLOUT_ANNOTATION = "calico-ipam/rollout";
export const WORKLOAD_COMPONENT = "ipam-workload";
/** The kubernetes provider would wait up to 10 minutes for pods that may never get an address. */
const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

export interface NamespaceSpec {
  name: string;
  annotations: Record<string, string>;
}

export interface NodeLabels {
  node: string;
  labels: Record<string, string>;
}

/** What the read of a workload's pods needs to know. */
export interface WorkloadQuery {
  name: string;
  namespace: string;
  replicas: number;
  /** The TEMPLATE_LABEL value of the current pods. */
  template: string;
}

export interface WorkloadSpec {
  query: WorkloadQuery;
  deployment: V1Deployment;
}

function family(pool: PoolSettings): "IPv4" | "IPv6" {
  return pool.cidr.includes(":") ? "IPv6" : "IPv4";
}

/** The pool annotations for these pool names, one per family that has any (values are JSON lists). */
export function poolAnnotations(names: string[], pools: PoolSettings[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const fam of ["IPv4", "IPv6"] as const) {
    const chosen = names.filter((n) => pools.some((p) => p.name === n && family(p) === fam));
    if (chosen.length > 0) annotations[POOL_ANNOTATIONS[fam]] = JSON.stringify(chosen);
  }
  return annotations;
}

/** Namespaces the lab creates: those of `namespaces` (annotated), then any other a workload names. */
export function labNamespaces(config: Pick<LabConfig, "namespaces" | "workloads" | "pools">): NamespaceSpec[] {
  const specs: NamespaceSpec[] = Object.entries(config.namespaces).map(([name, ns]) => ({ name, annotations: poolAnnotations(ns.pools, config.pools) }));
  for (const w of config.workloads) {
    if (w.namespace !== "default" && !specs.some((s) => s.name === w.namespace)) specs.push({ name: w.namespace, annotations: {} });
  }
  return specs;
}

/**
 * The namespaces and Deployments the experiments create, each with the config key that asks for it,
 * so a cluster the lab did not make can be checked for them first (lib/cluster/existing-objects.ts).
 * `default` is never among them: the lab only ever uses it.
 */
export function experimentObjects(config: Pick<LabConfig, "namespaces" | "workloads" | "pools">): LabObject[] {
  const fresh = "use a namespace that is not in the cluster yet (the lab creates it)";
  const namespaces: LabObject[] = labNamespaces(config).map((ns) => {
    const index = config.workloads.findIndex((w) => w.namespace === ns.name);
    const key = ns.name in config.namespaces ? at("namespaces", ns.name) : at("workloads", index, "namespace");
    return { kind: "Namespace", name: ns.name, key, instead: fresh };
  });
  const deployments: LabObject[] = config.workloads.map((w, i) => ({
    kind: "Deployment", namespace: w.namespace, name: w.name, key: at("workloads", i, "name"), instead: "give the workload a name of its own",
  }));
  return [...namespaces, ...deployments];
}

/** Worker labels as the running nodes must carry them (only nodes with labels). */
export function labNodeLabels(config: Pick<LabConfig, "labName" | "workers" | "workerLabels">): NodeLabels[] {
  const workers = kindNodeNames(config.labName, config.workers).filter((n) => n.role === "worker");
  return config.workerLabels
    .map((labels, i) => ({ node: workers[i]?.name, labels }))
    .filter((n): n is NodeLabels => n.node !== undefined && Object.keys(n.labels).length > 0);
}

function templateId(template: V1PodTemplateSpec): string {
  return createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 12);
}

export function workloadSpec(workload: WorkloadConfig, pools: PoolSettings[], controlPlaneNode?: string): WorkloadSpec {
  const selector = { "app.kubernetes.io/name": workload.name, "app.kubernetes.io/part-of": "calico-ipam" };
  const labels = { ...selector, "app.kubernetes.io/component": WORKLOAD_COMPONENT };
  const annotations = {
    ...poolAnnotations(workload.pools, pools),
    ...(workload.rollout !== undefined ? { [ROLLOUT_ANNOTATION]: workload.rollout } : {}),
  };
  const template: V1PodTemplateSpec = {
    metadata: { labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: pausePodSpec(workload.node === undefined ? {} : {
      nodeSelector: { "kubernetes.io/hostname": workload.node },
      // kind keeps the control plane tainted when it has workers.
      ...(workload.node === controlPlaneNode ? { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] } : {}),
    }),
  };
  const id = templateId(template);
  template.metadata = { ...template.metadata, labels: { ...labels, [TEMPLATE_LABEL]: id } };
  return {
    query: { name: workload.name, namespace: workload.namespace, replicas: workload.replicas, template: id },
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: workload.name, namespace: workload.namespace, labels, annotations: SKIP_AWAIT },
      spec: {
        replicas: workload.replicas,
        // Old pods go before new ones come: a rollout that moves pods to another pool never stalls
        // on new pods that cannot get an address.
        strategy: { type: "Recreate" },
        selector: { matchLabels: selector },
        template,
      },
    },
  };
}

export function labWorkloads(config: Pick<LabConfig, "workloads" | "pools" | "labName" | "workers" | "target">): WorkloadSpec[] {
  const controlPlane = config.target === "existing" ? undefined : kindNodeNames(config.labName, config.workers)[0].name;
  return config.workloads.map((w) => workloadSpec(w, config.pools, controlPlane));
}
