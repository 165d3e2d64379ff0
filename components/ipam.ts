// The IPAM view of the lab: a read of the cluster's IPAM objects on every `pulumi up`, once
// everything that makes nodes claim blocks (the probe, the experiments' workloads) has settled,
// turned into stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { EMPTY_IPAM_STATE } from "../lib/ipam/reader";
import type { IpamState } from "../lib/ipam/types";

export { EMPTY_IPAM_STATE };

export type ReadIpamState = (kubeconfig: string) => Promise<IpamState>;

export interface IpamArgs {
  kubeconfig: pulumi.Input<string>;
  /** The read waits for each of these: Calico ready, the probe ready, the workloads settled. */
  readAfter: pulumi.Output<unknown>[];
  readState: ReadIpamState;
}

export class Ipam extends pulumi.ComponentResource {
  readonly state: pulumi.Output<IpamState>;

  constructor(name: string, args: IpamArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:ipam:Ipam", name, {}, opts);
    this.state = pulumi.unsecret(
      pulumi.all([args.kubeconfig, ...args.readAfter]).apply(async ([kubeconfig]) => {
        try {
          const state = await args.readState(kubeconfig as string);
          for (const warning of state.warnings) pulumi.log.warn(`calico-ipam IPAM: ${warning}`, this);
          return state;
        } catch (err) {
          // Outputs are a view, not the lab: an unreachable cluster must never fail the deployment.
          pulumi.log.warn(`calico-ipam: could not read the IPAM state, outputs are empty: ${(err as Error).message}`, this);
          return EMPTY_IPAM_STATE;
        }
      }),
    );
    this.registerOutputs({ state: this.state });
  }
}
