// Step scripts: the shell that runs on the lab host (over SSH) or on the user's machine (locally).
// Both transports run the very same text; only the values in the prelude differ.
import * as fs from "node:fs";
import * as path from "node:path";

export type StepName =
  | "wait-for-host"
  | "deploy-cluster"
  | "keep-cluster"
  | "destroy-cluster"
  | "read-kubeconfig"
  | "install-tools"
  | "match-host-tools"
  | "prepull-images";

/** Shared helpers a step needs besides common.sh, prepended after it. */
const STEP_HELPERS: Partial<Record<StepName, string[]>> = {
  "install-tools": ["downloads.sh"],
  "match-host-tools": ["downloads.sh"],
};

const SCRIPTS_DIR = path.join(__dirname, "..", "..", "manifests", "scripts");

function readScript(file: string): string {
  return fs.readFileSync(path.join(SCRIPTS_DIR, file), "utf8");
}

/** Single-quotes a value for bash, so no value can break out of its assignment. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The full text of a step: shebang, shared helpers (common.sh and the step's STEP_HELPERS), the step's
 * name (messages say which step failed), its parameters as quoted bash assignments, then the step
 * body. File contents travel as parameters too, so nothing needs a second copy mechanism.
 */
export function renderStep(name: StepName, params: Record<string, string>, options: { prelude?: boolean } = {}): string {
  const assignments = Object.entries({ STEP: name, ...params }).map(([key, value]) => `${key}=${shellQuote(value)}`);
  // A step rendered without the prelude does not change when common.sh does (see read-kubeconfig.sh).
  const helpers = ["common.sh", ...(STEP_HELPERS[name] ?? [])];
  const prelude = options.prelude === false ? [] : helpers.map((file) => readScript(file).trimEnd());
  return ["#!/usr/bin/env bash", ...prelude, ...assignments, readScript(`${name}.sh`).trimEnd(), ""].join("\n");
}

/** Parses the `calico-ipam timing <key> <seconds>` lines a step prints. */
export function parseTimings(stdout: string): Record<string, number> {
  const timings: Record<string, number> = {};
  for (const match of stdout.matchAll(/^calico-ipam timing (\w+) (\d+)$/gm)) {
    timings[match[1]] = Number(match[2]);
  }
  return timings;
}
