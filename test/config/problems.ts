// What a user sees for a bad stack config: the ConfigError's problems, one a line.
import * as assert from "node:assert/strict";
import { ConfigError, parseLabConfig, RawConfig } from "../../lib/config";

/** Every problem the config has; fails the test when it has none. */
export function problemsOf(raw: RawConfig): string[] {
  try {
    parseLabConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.problems;
  }
  return assert.fail(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

/** Exactly one problem, starting with `start` (the key path) and containing every fragment. */
export function onlyProblem(raw: RawConfig, start: string, ...fragments: string[]): string {
  const problems = problemsOf(raw);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.ok(problems[0].startsWith(start), problems[0]);
  for (const f of fragments) assert.ok(problems[0].includes(f), `${JSON.stringify(f)} missing from: ${problems[0]}`);
  return problems[0];
}
