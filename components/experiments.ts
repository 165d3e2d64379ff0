// The IPAM experiments of the stack config in the cluster: the IPAMConfiguration, worker labels kept
// current, annotated namespaces and pause workloads, then what IPAM did with them (`workloads`); and,
// before the Installation changes, what the operator will do with the pools (`poolChanges`).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IpamConfigSettings, PoolSettings } from "../lib/config";
import { KubeReadError } from "../lib/core/kube";
import { STACK_ANNOTATION } from "../lib/cluster/existing-objects";
import { IPAM_CONFIGURATION, ipamConfigurationSpec } from "../lib/calico/resources";
import { planPoolChanges, type LivePool, type PoolChange } from "../lib/calico/pool-changes";
import type { NamespaceSpec, NodeLabels, WorkloadQuery, WorkloadSpec } from "../lib/ipam/workloads";
import type { WorkloadReport } from "../lib/ipam/workload-report";
import { after } from "./after";

export type ReadWorkloads = (kubeconfig: string, queries: WorkloadQuery[]) => Promise<WorkloadReport[]>;
export type ReadLivePools = (kubeconfig: string) => Promise<LivePool[]>;

export interface ExperimentsArgs {
  provider: k8s.Provider;
  kubeconfig: pulumi.Input<string>;
  /** Resolves once Calico and its API server are Available (projectcalico.org/v3 is served). */
  calicoReady: pulumi.Output<unknown>;
  /**
   * Resolves once the workloads may start: Calico ready and every node's IPAM probe pod holding its
   * address, so the workloads never race the probe for a node's last address or block.
   */
  workloadsReady: pulumi.Output<unknown>;
  ipamConfig?: IpamConfigSettings;
  nodeLabels: NodeLabels[];
  namespaces: NamespaceSpec[];
  workloads: WorkloadSpec[];
  deletedWith?: pulumi.Resource;
  readWorkloads: ReadWorkloads;
  /** The stack's identity (stackIdentity), marked on its namespaces and Deployments (lib/cluster/existing-objects.ts). */
  madeBy: string;
}

/** Patches force their fields: kind's kubelet registered the labels, Calico created the IPAMConfiguration. */
const FORCE = { "pulumi.com/patchForce": "true" };

export class Experiments extends pulumi.ComponentResource {
  readonly workloads: pulumi.Output<WorkloadReport[]>;
  /** Resolves once the workloads have settled (at once when there are none). */
  readonly settled: pulumi.Output<unknown>;

  constructor(name: string, args: ExperimentsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:experiments:Experiments", name, {}, opts);
    const inCluster = { parent: this, provider: args.provider, deletedWith: args.deletedWith };
    const before: pulumi.Resource[] = [];
    const madeBy = { [STACK_ANNOTATION]: args.madeBy };

    if (args.ipamConfig) {
      // A patch (server-side apply) rather than a create: Calico writes the `default` object itself on
      // its first address assignment (libcalico-go ipam.go GetIPAMConfig), before this can run, and
      // the provider creates plain resources with a create that fails on an existing object, but
      // applies Patch resources (pulumi-kubernetes provider/pkg/await/await.go Creation, #4278).
      before.push(new k8s.apiextensions.CustomResourcePatch(`${name}-ipam-configuration`, {
        apiVersion: IPAM_CONFIGURATION.apiVersion,
        kind: IPAM_CONFIGURATION.kind,
        metadata: { name: IPAM_CONFIGURATION.name, annotations: FORCE },
        spec: ipamConfigurationSpec(args.ipamConfig),
        // Served by the Calico API server: only once it is Available. Not after the probe: a probe
        // waiting on a block limit must not hold back the change that raises it.
      }, { ...inCluster, dependsOn: after(args.calicoReady) }));
    }
    for (const { node, labels } of args.nodeLabels) {
      // kind sets the labels when it creates the node; later edits land here, without a new cluster.
      before.push(new k8s.core.v1.NodePatch(`${name}-labels-${node}`, { metadata: { name: node, labels, annotations: FORCE } }, inCluster));
    }
    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    for (const ns of args.namespaces) {
      namespaces.set(ns.name, new k8s.core.v1.Namespace(`${name}-namespace-${ns.name}`, {
        metadata: { name: ns.name, annotations: { ...ns.annotations, ...madeBy } },
      }, inCluster));
    }
    const deployments = args.workloads.map(({ deployment }) => {
      const meta = deployment.metadata ?? {};
      const namespace = namespaces.get(meta.namespace ?? "");
      return new k8s.apps.v1.Deployment(`${name}-workload-${meta.namespace}-${meta.name}`, {
        metadata: {
          name: meta.name,
          namespace: namespace ? namespace.metadata.name : meta.namespace,
          labels: meta.labels,
          annotations: { ...meta.annotations, ...madeBy },
        },
        spec: deployment.spec as k8s.types.input.apps.v1.DeploymentSpec,
        // After Calico and the probe (pods need the CNI, and the probe its node's first addresses), and
        // after the IPAM settings and labels they are meant to meet.
      }, { ...inCluster, dependsOn: after(args.workloadsReady, before) });
    });

    const queries = args.workloads.map((w) => w.query);
    this.workloads = pulumi.unsecret(
      pulumi.all([args.kubeconfig, args.workloadsReady, ...deployments.map((d) => d.id)]).apply(async ([kubeconfig]) => {
        if (pulumi.runtime.isDryRun() || queries.length === 0) return [];
        try {
          return await args.readWorkloads(kubeconfig as string, queries);
        } catch (err) {
          pulumi.log.warn(`calico-ipam: could not read the workloads' pods, the workloads output is empty: ${(err as Error).message}`, this);
          return [];
        }
      }),
    );
    this.settled = this.workloads;
    this.registerOutputs({ workloads: this.workloads });
  }
}

/** What the operator will do with the pools, and the pools once it is known to accept them. */
export interface CheckedPools {
  changes: pulumi.Output<PoolChange[]>;
  /** Resolves only when no change is refused: a refusal stops the run before the Installation changes. */
  pools: pulumi.Output<PoolSettings[]>;
}

/**
 * The operator's next pass over the pools, planned from the pools in the cluster at the start of the
 * run. A change it would refuse stops the run here, in the preview, with Calico's reason: applied, it
 * would leave TigeraStatus ippools Degraded and `pulumi up` waiting for it until calicoTimeoutMinutes.
 */
export function checkPoolChanges(kubeconfig: pulumi.Input<string>, pools: PoolSettings[], readLivePools: ReadLivePools): CheckedPools {
  const changes = pulumi.unsecret(pulumi.output(kubeconfig).apply(async (k): Promise<PoolChange[]> => {
    let live: LivePool[];
    try {
      live = await readLivePools(k);
    } catch (err) {
      // Calico not installed yet (a new cluster) means no pools: every pool is simply created.
      if (err instanceof KubeReadError && err.kind === "not-found") return planPoolChanges([], pools);
      pulumi.log.warn(`calico-ipam: could not read the cluster's IP pools, so nothing can be said about what the operator will do with them: ${(err as Error).message}`);
      return [];
    }
    const planned = planPoolChanges(live, pools);
    for (const c of planned.filter((c) => c.change === "delete" || c.change === "blocked")) {
      pulumi.log.warn(`calico-ipam pool ${c.pool} (${c.cidr}): ${c.change}: ${c.effect}`);
    }
    return planned;
  }));
  const checked = changes.apply((planned) => {
    const refused = planned.filter((c) => c.change === "refused");
    if (refused.length > 0) {
      // A RunError: Pulumi prints the message alone, no stack (sdk/nodejs/cmd/run/run.ts, uncaughtHandler).
      throw new pulumi.RunError(`calico-ipam:pools (or, for the lab's one pool, podCidr and blockSize): the Tigera operator would refuse ` +
        `${refused.length === 1 ? "this change" : "these changes"} to the cluster's pools (nothing was changed):\n` +
        refused.map((c) => `  - pool ${c.pool} (${c.cidr}): ${c.effect}`).join("\n"));
    }
    return pools;
  });
  return { changes, pools: checked };
}
