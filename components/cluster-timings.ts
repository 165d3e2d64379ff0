// The cluster stages of the `timings` output, kept in the stack's state as first read, so a later `up`
// (after an upgrade, a rollout, a reboot) reports the same values: the rules are in
// lib/calico/recorded-timings.ts. The engine's builtin Stash (pulumi#20819, first in v3.208.0, below
// requiredPulumiVersion) is what keeps them: pkg/resource/deploy/builtins.go, builtinProvider.Create
// sets output to the input, Update records the new input and keeps the old output, Diff never asks
// for a replacement, and Read hands the state back (a refresh keeps it). Only a replacement records anew.
import * as pulumi from "@pulumi/pulumi";
import { fillTrigger, installTrigger, recordedTimings, type StageTimings } from "../lib/calico/recorded-timings";

export interface ClusterTimingsArgs {
  /** This run's reading of the cluster stages, by the cluster's clock. */
  reading: pulumi.Input<StageTimings>;
  /** The Installation's uid the reading counts from (undefined: it could not be read). */
  installationUid: pulumi.Input<string | undefined>;
  /** The Installation resource: a replaced one (a new cluster replaces everything in it) is a new install. */
  installation: pulumi.Resource;
}

export class ClusterTimings extends pulumi.ComponentResource {
  /** The stages as first read for this install, merged into the `timings` output. */
  readonly timings: pulumi.Output<StageTimings>;

  constructor(name: string, args: ClusterTimingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:timings:ClusterTimings", name, {}, opts);
    // Two ways to record anew. replaceWith (engine v3.207.0; step_generator.go diff: a resource is
    // replaced when one in its ReplaceWith list is) follows a replaced Installation, in a preview too.
    // The uid as replacementTrigger (engine v3.208.0; step_generator.go shouldTriggerReplace: any
    // change replaces) also catches an Installation the state does not see replaced: created again
    // after a refresh dropped it (the host gone), or made again by hand. It is given in an up only:
    // a preview that cannot reach the cluster (a new caller address) would make it unknown, and an
    // unknown trigger always plans a replacement; without one a preview plans none, and writes no state.
    const install = pulumi.runtime.isDryRun() ? undefined : pulumi.output(args.installationUid).apply(installTrigger);
    const first = new pulumi.Stash(`${name}-first`, { input: args.reading }, {
      parent: this,
      replaceWith: [args.installation],
      replacementTrigger: install,
    });
    const firstReading = first.output as pulumi.Output<StageTimings>;
    const fill = new pulumi.Stash(`${name}-fill`, { input: args.reading }, {
      parent: this,
      replaceWith: [first],
      replacementTrigger: install && pulumi.all([install, firstReading, args.reading]).apply(([key, kept, reading]) => fillTrigger(key, kept, reading)),
    });
    this.timings = pulumi.all([firstReading, fill.output as pulumi.Output<StageTimings>]).apply(([kept, filled]) => recordedTimings(kept, filled));
    this.registerOutputs({ timings: this.timings });
  }
}
