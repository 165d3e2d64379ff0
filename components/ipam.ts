// The IPAM view of the lab: a probe that makes every node claim a block, then a read of the
// cluster's IPAM objects on every `pulumi up`, turned into stack outputs.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PROBE_NAMESPACE, probeDaemonSet } from "../lib/ipam/probe";
import { EMPTY_IPAM_STATE } from "../lib/ipam/reader";
import type { IpamProbeTimings } from "../lib/ipam/probe-timing";
import type { IpamState } from "../lib/ipam/types";
import { after } from "./after";

export { EMPTY_IPAM_STATE };

export type ReadIpamState = (kubeconfig: string) => Promise<IpamState>;
export type ReadIpamProbeTimings = (kubeconfig: string) => Promise<IpamProbeTimings>;

export interface IpamArgs {
  /** Undefined when the stack only reads the cluster: no probe then. */
  provider?: k8s.Provider;
  kubeconfig: pulumi.Input<string>;
  /** Resolves when Calico is ready; nothing here starts before. */
  calicoReady: pulumi.Output<unknown>;
  probe: boolean;
  /** Also read only after this (the experiments' workloads), so the read shows their blocks. */
  readAfter?: pulumi.Output<unknown>;
  deletedWith?: pulumi.Resource;
  readState: ReadIpamState;
  /** The probe stage's time, by the cluster's clock (read once the probe is ready). */
  readProbeTimings: ReadIpamProbeTimings;
}

export class Ipam extends pulumi.ComponentResource {
  readonly probe?: k8s.apps.v1.DaemonSet;
  readonly state: pulumi.Output<IpamState>;
  /** `ipamProbeReadySeconds`, merged into the `timings` output; empty without a probe. */
  readonly timings: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: IpamArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:ipam:Ipam", name, {}, opts);
    const inCluster = { parent: this, provider: args.provider, deletedWith: args.deletedWith };

    let probeReady: pulumi.Output<unknown> = args.calicoReady;
    let timings = pulumi.output<Record<string, number>>({});
    if (args.probe && args.provider) {
      // Only once Calico is ready: the probe's pods need the CNI, and an earlier start would only
      // fail the DaemonSet's own wait.
      const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
        metadata: { name: PROBE_NAMESPACE },
      }, { ...inCluster, dependsOn: after(args.calicoReady) });
      const daemonSet = probeDaemonSet(PROBE_NAMESPACE);
      this.probe = new k8s.apps.v1.DaemonSet(`${name}-probe`, {
        metadata: { name: daemonSet.metadata?.name, labels: daemonSet.metadata?.labels, namespace: namespace.metadata.name },
        spec: daemonSet.spec as k8s.types.input.apps.v1.DaemonSetSpec,
      }, inCluster);
      // The provider waits for a DaemonSet to run on every node, so its id means "every node has an address".
      probeReady = pulumi.all([args.calicoReady, this.probe.id]);
      timings = pulumi.unsecret(
        pulumi.all([args.kubeconfig, probeReady]).apply(async ([kubeconfig]) => {
          // A timing is a view too: one that cannot be read is left out, never a failed deployment.
          const read = await args.readProbeTimings(kubeconfig).catch((): IpamProbeTimings => ({}));
          return read as Record<string, number>;
        }),
      );
    }
    this.timings = timings;

    this.state = pulumi.unsecret(
      pulumi.all([args.kubeconfig, probeReady, args.readAfter]).apply(async ([kubeconfig]) => {
        try {
          const state = await args.readState(kubeconfig);
          for (const warning of state.warnings) pulumi.log.warn(`calico-ipam IPAM: ${warning}`, this);
          return state;
        } catch (err) {
          // Outputs are a view, not the lab: an unreachable cluster must never fail the deployment.
          pulumi.log.warn(`calico-ipam: could not read the IPAM state, outputs are empty: ${(err as Error).message}`, this);
          return EMPTY_IPAM_STATE;
        }
      }),
    );
    this.registerOutputs({ state: this.state, timings: this.timings });
  }
}
