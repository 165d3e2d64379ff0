// The cluster stages of the `timings` output (the Calico stages and the IPAM probe's), kept as they
// were first read for an install. Each is read from the cluster's own timestamps, but those move: the
// Tigera operator sets Available's lastTransitionTime to now whenever its status flips, as an upgrade
// or a restart takes it to False and back (tigera/operator v1.38.13 pkg/controller/status/status.go,
// statusManager.set), and a restarted pod has a new Ready time and startedAt. After a calicoVersion
// upgrade, a calico-node rollout or a reboot, a fresh reading says "Installation created -> now". So
// the stack keeps readings in its state (components/cluster-timings.ts, two pulumi.Stash resources: a
// Stash keeps the output it was created with), and these are the rules:
// - "first" records the first reading of an install, and records anew only for a new install: the
//   Installation replaced (a new cluster replaces everything in it), or its uid changed.
// - "fill" records the first reading that has a stage "first" lacks (a read that failed the first time),
//   so a missing stage is filled once, not frozen out forever; its trigger is the install and the
//   stages it can fill. Limit: if such a stage goes missing again and comes back, it is read anew.
// - the output is "first", plus the stages only "fill" has; a stage neither has is left out.

export type StageTimings = Record<string, number>;

/**
 * The replacement trigger of "first": the install the readings count from. An up that could not
 * read the uid records anew once with "unread": a guess never freezes values.
 */
export function installTrigger(installationUid: string | undefined): string {
  return `installation ${installationUid || "unread"}`;
}

/** The stages `reading` has that `first` lacks, in order. */
export function fillableStages(first: StageTimings, reading: StageTimings): string[] {
  return Object.keys(reading).filter((stage) => !(stage in first)).sort();
}

/** The replacement trigger of "fill": the install, and the stages this reading could fill. */
export function fillTrigger(install: string, first: StageTimings, reading: StageTimings): string {
  return [install, ...fillableStages(first, reading)].join(" ");
}

/** What the `timings` output shows of the cluster stages: "first", and from "fill" only what "first" lacks. */
export function recordedTimings(first: StageTimings | undefined, fill: StageTimings | undefined): StageTimings {
  const kept = first ?? {};
  const filled = Object.fromEntries(fillableStages(kept, fill ?? {}).map((stage) => [stage, fill![stage]]));
  return { ...filled, ...kept };
}
