// The IPAM experiments of the stack config in the cluster: the IPAMConfiguration, worker labels kept
// current, annotated namespaces and pause workloads; then what IPAM did with them (`workloads`) and
// what the operator will do with the pools (`poolChanges`).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IpamConfigSettings, PoolSettings } from "../lib/config";
import { KubeReadError } from "../lib/core/kube";
import { IPAM_CONFIGURATION, ipamConfigurationSpec } from "../lib/calico/resources";
import { planPoolChanges, type LiveCluster, type PoolChange, type RebuildTriggers } from "../lib/calico/pool-changes";
import type { NamespaceSpec, NodeLabels, WorkloadQuery, WorkloadSpec } from "../lib/ipam/workloads";
import type { WorkloadReport } from "../lib/ipam/workload-report";

export type ReadWorkloads = (kubeconfig: string, queries: WorkloadQuery[]) => Promise<WorkloadReport[]>;
export type ReadLiveCluster = (kubeconfig: string) => Promise<LiveCluster>;

export interface ExperimentsArgs {
  provider: k8s.Provider;
  kubeconfig: pulumi.Input<string>;
  /** Resolves once Calico and its API server are Available (projectcalico.org/v3 is served). */
  calicoReady: pulumi.Output<unknown>;
  pools: PoolSettings[];
  /** What shows that a run rebuilds the cluster (undefined: the lab never rebuilds it, target existing). */
  rebuildTriggers?: RebuildTriggers;
  ipamConfig?: IpamConfigSettings;
  nodeLabels: NodeLabels[];
  namespaces: NamespaceSpec[];
  workloads: WorkloadSpec[];
  deletedWith?: pulumi.Resource;
  readWorkloads: ReadWorkloads;
  readLiveCluster: ReadLiveCluster;
}

/** Patches force their fields: kind's kubelet registered the labels, Calico created the IPAMConfiguration. */
const FORCE = { "pulumi.com/patchForce": "true" };

export class Experiments extends pulumi.ComponentResource {
  readonly workloads: pulumi.Output<WorkloadReport[]>;
  readonly poolChanges: pulumi.Output<PoolChange[]>;
  /** Resolves once the workloads have settled (at once when there are none). */
  readonly settled: pulumi.Output<unknown>;

  constructor(name: string, args: ExperimentsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:experiments:Experiments", name, {}, opts);
    const inCluster = { parent: this, provider: args.provider, deletedWith: args.deletedWith };
    const before: pulumi.Resource[] = [];

    if (args.ipamConfig) {
      // A patch (server-side apply) rather than a create: Calico writes the `default` object itself on
      // its first address assignment (libcalico-go ipam.go GetIPAMConfig), before this can run, and
      // the provider creates plain resources with a create that fails on an existing object, but
      // applies Patch resources (pulumi-kubernetes provider/pkg/await/await.go Creation, #4278).
      before.push(new k8s.apiextensions.CustomResourcePatch(`${name}-ipam-configuration`, {
        apiVersion: IPAM_CONFIGURATION.apiVersion,
        kind: IPAM_CONFIGURATION.kind,
        // Named through calicoReady: served by the Calico API server, so only once it is Available.
        metadata: { name: args.calicoReady.apply(() => IPAM_CONFIGURATION.name), annotations: FORCE },
        spec: ipamConfigurationSpec(args.ipamConfig),
      }, inCluster));
    }
    for (const { node, labels } of args.nodeLabels) {
      // kind sets the labels when it creates the node; later edits land here, without a new cluster.
      before.push(new k8s.core.v1.NodePatch(`${name}-labels-${node}`, { metadata: { name: node, labels, annotations: FORCE } }, inCluster));
    }
    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    for (const ns of args.namespaces) {
      namespaces.set(ns.name, new k8s.core.v1.Namespace(`${name}-namespace-${ns.name}`, {
        metadata: { name: ns.name, annotations: ns.annotations },
      }, inCluster));
    }
    const deployments = args.workloads.map(({ deployment }) => {
      const meta = deployment.metadata ?? {};
      const namespace = namespaces.get(meta.namespace ?? "");
      return new k8s.apps.v1.Deployment(`${name}-workload-${meta.namespace}-${meta.name}`, {
        metadata: {
          // After Calico (pods need the CNI) and after the IPAM settings and labels they are meant to meet.
          name: args.calicoReady.apply(() => meta.name as string),
          namespace: namespace ? namespace.metadata.name : meta.namespace,
          labels: meta.labels,
          annotations: meta.annotations,
        },
        spec: deployment.spec as k8s.types.input.apps.v1.DeploymentSpec,
      }, { ...inCluster, dependsOn: before });
    });

    const queries = args.workloads.map((w) => w.query);
    this.workloads = pulumi.unsecret(
      pulumi.all([args.kubeconfig, args.calicoReady, ...deployments.map((d) => d.id)]).apply(async ([kubeconfig]) => {
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
    this.poolChanges = pulumi.unsecret(pulumi.output(args.kubeconfig).apply((kubeconfig) => this.planPools(kubeconfig, args)));
    this.registerOutputs({ workloads: this.workloads, poolChanges: this.poolChanges });
  }

  /** The operator's next pass over the pools, from the pools in the cluster now; said as warnings too. */
  private async planPools(kubeconfig: string, args: ExperimentsArgs): Promise<PoolChange[]> {
    let live: LiveCluster;
    try {
      live = await args.readLiveCluster(kubeconfig);
    } catch (err) {
      // Calico not installed yet (a new cluster) means no pools: every pool is simply created.
      if (!(err instanceof KubeReadError && err.kind === "not-found")) {
        pulumi.log.warn(`calico-ipam: could not read the cluster's IP pools, so nothing can be said about what the operator will do with them: ${(err as Error).message}`, this);
        return [];
      }
      live = { pools: [] };
    }
    const changes = planPoolChanges(live, args.pools, args.rebuildTriggers);
    for (const c of changes.filter((c) => ["refused", "blocked", "delete"].includes(c.change))) {
      pulumi.log.warn(`calico-ipam pool ${c.pool} (${c.cidr}): ${c.change}: ${c.effect}`, this);
    }
    return changes;
  }
}
