import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parseTimings, renderStep, shellQuote } from "../../lib/core/steps";

/** What bash makes of `X=<quoted>`: the test runs real bash, not a model of it. */
function bashValue(quoted: string): string {
  const result = spawnSync("bash", ["-c", `X=${quoted}; printf '%s' "$X"`], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

describe("step scripts", () => {
  it("quotes any value so bash reads it back unchanged", () => {
    for (const value of ["plain", "it's", "$(rm -rf /) `x` $HOME", "multi\nline\n'quoted'\n", ""]) {
      assert.equal(bashValue(shellQuote(value)), value);
    }
  });

  it("composes shebang, shared helpers, parameters and the step body", () => {
    const script = renderStep("destroy-cluster", { LAB_NAME: "calico-ipam" });
    assert.ok(script.startsWith("#!/usr/bin/env bash\n"));
    assert.match(script, /as_root\(\) \{/);
    const params = script.indexOf("LAB_NAME='calico-ipam'");
    const body = script.indexOf("calico-ipam step: destroy-cluster");
    assert.ok(params > 0 && body > params, "parameters come before the body");
  });

  it("leaves the shared helpers out of a step rendered without the prelude, so common.sh cannot change it", () => {
    const script = renderStep("read-kubeconfig", { LAB_NAME: "calico-ipam" }, { prelude: false });
    assert.doesNotMatch(script, /as_root\(\)/);
    assert.match(script, /^LAB_NAME='calico-ipam'$/m);
    assert.match(script, /set -euo pipefail/);
  });

  it("passes a whole file through a parameter intact", () => {
    const content = "name: lab\nline: 'quoted' $VAR\n";
    const script = renderStep("keep-cluster", { LAB_NAME: "x", TOPOLOGY: content });
    const probe = script.replace(/^LAB_DIR=.*$/m, 'printf "%s" "$TOPOLOGY"; exit 0');
    const result = spawnSync("bash", ["-c", probe], { encoding: "utf8" });
    assert.equal(result.stdout, content);
  });

  it("reads the timing lines a step prints, ignoring everything else", () => {
    const out = "Deploying...\ncalico-ipam timing clusterCreateSeconds 131\nINFO done\ncalico-ipam timing hostReadySeconds 94\n";
    assert.deepEqual(parseTimings(out), { clusterCreateSeconds: 131, hostReadySeconds: 94 });
    assert.deepEqual(parseTimings(""), {});
  });
});
