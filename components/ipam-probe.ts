// The IPAM probe: one pause pod on every node, once Calico is ready, so every node claims a block
// before anything else asks for addresses; and its stage of the `timings` output.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { STACK_ANNOTATION } from "../lib/cluster/existing-objects";
import { PROBE_NAMESPACE, probeDaemonSet } from "../lib/ipam/probe";
import type { IpamProbeTimings } from "../lib/ipam/probe-timing";
import { after } from "./after";

export type ReadIpamProbeTimings = (kubeconfig: string) => Promise<IpamProbeTimings>;

export interface IpamProbeArgs {
  provider: k8s.Provider;
  kubeconfig: pulumi.Input<string>;
  /** Resolves when Calico is ready: the probe's pods need the CNI, and an earlier start would only fail their wait. */
  calicoReady: pulumi.Output<unknown>;
  deletedWith?: pulumi.Resource;
  /** The probe stage's time, by the cluster's clock (read once the probe is ready). */
  readProbeTimings: ReadIpamProbeTimings;
  /** The stack's identity (stackIdentity), marked on the namespace (lib/cluster/existing-objects.ts). */
  madeBy: string;
}

/** Where these resources were before the probe had its own component: the alias keeps them, never re-creates them. */
const FORMER_PARENT = { name: "ipam", type: "calico-ipam:ipam:Ipam" };

export class IpamProbe extends pulumi.ComponentResource {
  readonly daemonSet: k8s.apps.v1.DaemonSet;
  /** Resolves once every node's probe pod is Ready: each node has an address, from its own block. */
  readonly ready: pulumi.Output<unknown>;
  /** `ipamProbeReadySeconds`, merged into the `timings` output. */
  readonly timings: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: IpamProbeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:ipam:IpamProbe", name, {}, opts);
    const aliases = [{ parent: pulumi.createUrn(FORMER_PARENT.name, FORMER_PARENT.type) }];
    const inCluster = { parent: this, provider: args.provider, deletedWith: args.deletedWith, aliases };
    const namespace = new k8s.core.v1.Namespace("ipam-namespace", {
      metadata: { name: PROBE_NAMESPACE, annotations: { [STACK_ANNOTATION]: args.madeBy } },
    }, { ...inCluster, dependsOn: after(args.calicoReady) });
    const daemonSet = probeDaemonSet(PROBE_NAMESPACE);
    this.daemonSet = new k8s.apps.v1.DaemonSet("ipam-probe", {
      metadata: { name: daemonSet.metadata?.name, namespace: PROBE_NAMESPACE, labels: daemonSet.metadata?.labels, annotations: daemonSet.metadata?.annotations },
      spec: daemonSet.spec as k8s.types.input.apps.v1.DaemonSetSpec,
    }, { ...inCluster, dependsOn: [namespace] });
    // The provider waits (up to the DaemonSet's timeoutSeconds) for a pod running on every node, so
    // its id means "every node has an address".
    this.ready = pulumi.all([args.calicoReady, this.daemonSet.id]);
    this.timings = pulumi.unsecret(
      pulumi.all([args.kubeconfig, this.ready]).apply(async ([kubeconfig]) => {
        // A timing is a view too: one that cannot be read is left out, never a failed deployment.
        const read = await args.readProbeTimings(kubeconfig).catch((): IpamProbeTimings => ({}));
        return read as Record<string, number>;
      }),
    );
    this.registerOutputs({ ready: this.ready, timings: this.timings });
  }
}
