// Where the judges live: the upstream schema files in ../shared/upstream beside the repository, and
// Debian's validators on PATH. A user's fresh clone may have neither; the tests that need them skip
// and print exactly what is missing, so a skip is never mistaken for a pass.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

/** `shared/upstream` beside the repository root (this file is in <root>/test/conformance/support). */
export const UPSTREAM_DIR = path.resolve(__dirname, "../../../../shared/upstream");

/** The upstream files the suite judges with, relative to UPSTREAM_DIR. */
export const UPSTREAM = {
  operatorCrd: (plural: string) => `calico-v3.30.7/charts/tigera-operator/crds/operator.tigera.io_${plural}_crd.yaml`,
  calicoCrd: (plural: string) => `calico-v3.30.7/libcalico-go/config/crd/crd.projectcalico.org_${plural}.yaml`,
  clabSchema: "containerlab-v0.79.0/schemas/clab.schema.json",
};

export function upstreamFile(relative: string): string {
  return path.join(UPSTREAM_DIR, relative);
}

/** What is missing, or undefined when every upstream file is there. */
export function missingUpstream(...relatives: string[]): string | undefined {
  const why = "the upstream schema files (shared/upstream, listed in its SOURCES.md) must sit beside the repository";
  if (!fs.existsSync(UPSTREAM_DIR)) return `${UPSTREAM_DIR} missing — ${why}`;
  const missing = relatives.filter((r) => !fs.existsSync(upstreamFile(r)));
  return missing.length === 0 ? undefined : `${missing.map(upstreamFile).join(", ")} missing — ${why}`;
}

/** What is missing, or undefined when `command` runs. */
export function missingTool(command: string, aptPackage: string): string | undefined {
  const probe = spawnSync(command, ["--version"], { encoding: "utf8" });
  return probe.error ? `${command} not found — install with apt-get install ${aptPackage}` : undefined;
}

/** Skips the current test or hook (a `before` skips its whole suite), saying why. */
export function skipIfMissing(ctx: Mocha.Context, ...missing: (string | undefined)[]): void {
  const reasons = missing.filter((m): m is string => m !== undefined);
  if (reasons.length === 0) return;
  for (const reason of reasons) console.log(`      skipped: ${reason}`);
  ctx.skip();
}

/** Fails with every problem listed, one a line, under a label naming the artifact. */
export function assertNoProblems(label: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new Error(`${label}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n  ${problems.join("\n  ")}`);
  }
}
