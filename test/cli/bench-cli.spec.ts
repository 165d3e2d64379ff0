// `npm run bench` as a real process, on its one small cluster: the whole `npm run ipam` path against
// a local API server that answers as a real one does (each list with its CRD's listKind), so a reader
// change that a real cluster would trip on breaks the bench here, not on a user's machine.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

describe("npm run bench", function () {
  this.timeout(60_000);

  it("reads, summarises, checks and draws its quick cluster, with every number as built", () => {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/bench.ts", "--quick"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^quick: \/20 pool, 64 blocks, 10 nodes, 300 pods\n {2}read, paged \(752 objects\) +\d+ ms\n/);
    assert.match(run.stdout, /summarise +\d+ ms {2}\(313 addresses in use\)/);
    assert.match(run.stdout, /check +\d+ ms {2}\(3 problems\)/);
  });
});
