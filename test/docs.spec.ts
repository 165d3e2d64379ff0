// The README against the code: its samples and picture are what `npm run docs` makes from the test
// fixtures now, and its Configuration and Outputs tables name every config key and every output the
// program has, with the defaults the code uses.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS, DEFAULTS } from "../lib/config";
import { EXAMPLE_SVG, exampleSvg, README, regenerateReadme, ROOT } from "../scripts/docs";
import { buildLabForTest, fakeDeps } from "./support/lab-harness";
import { MOCK_KUBECONFIG } from "./support/mocks";

const readme = (): string => fs.readFileSync(README, "utf8");

/** The rows of the first table under a `## heading`, as cells. */
function tableRows(heading: string): string[][] {
  const section = readme().split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README has no "## ${heading}" section`);
  const lines = section.split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const table = lines.slice(start, lines.findIndex((l, i) => i > start && !l.startsWith("|")));
  return table.slice(2).map((row) => row.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

/** `a`, `b` in a first cell -> ["a", "b"]. */
const names = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe("README", () => {
  it("shows the summary line, the --show-blocks table and the cost table the code makes now (npm run docs)", () => {
    const current = readme();
    const generated = regenerateReadme(current);
    if (generated !== current) {
      const differing = generated.split("\n").find((line, i) => line !== current.split("\n")[i]);
      assert.fail(`README.md's generated sections are stale: run \`npm run docs\` and commit (first differing line: ${differing})`);
    }
  });

  it("shows the picture the code draws now from the fixtures, committed despite .gitignore's *.svg", () => {
    assert.equal(fs.readFileSync(EXAMPLE_SVG, "utf8"), exampleSvg(), "docs/ipam-example.svg is stale: run `npm run docs` and commit");
    const relative = path.relative(ROOT, EXAMPLE_SVG);
    assert.ok(readme().includes(`](${relative})`), `README does not show ${relative}`);
    const ignored = spawnSync("git", ["check-ignore", "-q", relative], { cwd: ROOT });
    assert.equal(ignored.status, 1, `${relative} is git-ignored`);
  });

  it("lists every config key, and only those, with the default the code uses", () => {
    const rows = tableRows("Configuration");
    const documented = rows.flatMap((row) => names(row[0]));
    assert.deepEqual([...documented].sort(), [...CONFIG_KEYS].sort());
    for (const [key, value] of Object.entries(DEFAULTS)) {
      const row = rows.find((r) => names(r[0]).includes(key)) as string[];
      assert.ok(row[1].includes(`\`${value}\``), `README gives ${key} the default "${row[1]}", the code ${JSON.stringify(value)}`);
    }
  });

  it("lists every output the program exports on any target, and only those", async () => {
    const keyConfigs = [
      { allowedCidrs: "127.0.0.1/32" },
      { allowedCidrs: "127.0.0.1/32", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqNiD5GL/iCmAo2dxdo4NAWkXdlbB5xiQXezoUCPTnW" },
      { target: "local" },
      { target: "existing", kubeconfig: MOCK_KUBECONFIG },
      { target: "existing", kubeconfig: MOCK_KUBECONFIG, calicoInstall: "none" },
    ];
    const exported = new Set<string>();
    for (const raw of keyConfigs) {
      const lab = await buildLabForTest(raw, fakeDeps({ sshAgentSocket: "/run/agent.sock" }));
      for (const key of Object.keys(lab.outputs)) exported.add(key);
    }
    const documented = tableRows("Outputs").flatMap((row) => names(row[0]));
    assert.deepEqual([...documented].sort(), [...exported].sort());
  });
});
