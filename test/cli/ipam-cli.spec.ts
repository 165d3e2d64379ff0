import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runIpamCli, type CliIo } from "../../cli/ipam";
import { closedPort, fakeKubeconfig, PATHS, startFakeApiServer, writeFakeKubeconfig, type FakeApiServer } from "../support/fake-apiserver";

interface Run {
  code: number;
  out: string;
  err: string;
  stackLookups: number;
}

async function run(argv: string[], opts: Partial<CliIo> & { stack?: () => Promise<string> } = {}): Promise<Run> {
  const result: Run = { code: -1, out: "", err: "", stackLookups: 0 };
  const noStack = async (): Promise<string> => {
    throw new Error("`pulumi stack output kubeconfig` failed (error: no stack selected)");
  };
  const stack = opts.stack ?? noStack;
  result.code = await runIpamCli(argv, {
    out: (t) => (result.out += t),
    err: (t) => (result.err += t),
    env: opts.env ?? {},
    getStackKubeconfig: () => {
      result.stackLookups += 1;
      return stack();
    },
  });
  return result;
}

function assertOneErrorLine(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(r.err, /^error: [^\n]+\n$/, "exactly one line on stderr");
  assert.match(r.err, pattern);
  assert.doesNotMatch(r.err, /\bat .*\.ts:\d+/, "no stack trace");
}

// The table `calicoctl ipam show` prints for the fixtures (arithmetic in test/ipam/summary.spec.ts).
const POOL_TABLE = `+----------+----------------+-----------+------------+--------------+
| GROUPING |      CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |
+----------+----------------+-----------+------------+--------------+
| IP Pool  | 192.168.0.0/16 |     65536 | 14 (0%)    | 65522 (100%) |
| IP Pool  | 10.48.0.0/24   |       256 | 2 (1%)     | 254 (99%)    |
+----------+----------------+-----------+------------+--------------+

1 block outside every IP pool (orphaned), 1 IP in use: --show-blocks lists it.
`;

// Block rows: 5/64 = 7.8% -> 8%, 6/64 = 9.4% -> 9%, 3/64 = 4.7% -> 5%; 2/16 = 12.5% -> 12% (half to even).
const BLOCK_TABLE = `+----------+------------------+-----------+------------+--------------+
| GROUPING |       CIDR       | IPS TOTAL | IPS IN USE |   IPS FREE   |
+----------+------------------+-----------+------------+--------------+
| IP Pool  | 192.168.0.0/16   |     65536 | 14 (0%)    | 65522 (100%) |
| Block    | 192.168.0.64/26  |        64 | 5 (8%)     | 59 (92%)     |
| Block    | 192.168.1.64/26  |        64 | 6 (9%)     | 58 (91%)     |
| Block    | 192.168.2.0/26   |        64 | 3 (5%)     | 61 (95%)     |
| Block    | 192.168.2.192/26 |        64 | 0 (0%)     | 64 (100%)    |
| IP Pool  | 10.48.0.0/24     |       256 | 2 (1%)     | 254 (99%)    |
| Block    | 10.48.0.16/28    |        16 | 2 (12%)    | 14 (88%)     |
+----------+------------------+-----------+------------+--------------+

1 block outside every IP pool (orphaned):
+----------+--------------+-----------+------------+----------+
| GROUPING |     CIDR     | IPS TOTAL | IPS IN USE | IPS FREE |
+----------+--------------+-----------+------------+----------+
| Block    | 10.99.0.0/26 |        64 | 1 (2%)     | 63 (98%) |
+----------+--------------+-----------+------------+----------+
`;

describe("npm run ipam", () => {
  let server: FakeApiServer;
  let kubeconfigFile: string;
  beforeEach(async () => {
    server = await startFakeApiServer();
    kubeconfigFile = writeFakeKubeconfig(server.url);
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(path.dirname(kubeconfigFile), { recursive: true, force: true });
  });

  it("prints the calicoctl ipam show table from --kubeconfig, without asking the stack", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile]);
    assert.equal(r.err, "");
    assert.equal(r.code, 0);
    assert.equal(r.out, POOL_TABLE);
    assert.equal(r.stackLookups, 0);
  });

  it("adds a row per block with --show-blocks and lists orphan blocks apart", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile, "--show-blocks"]);
    assert.equal(r.code, 0);
    assert.equal(r.out, BLOCK_TABLE);
  });

  it("prints the ipam object plus blockAffinities with --json", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile, "--json"]);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out);
    assert.deepEqual(Object.keys(json), ["pools", "blocks", "orphanBlocks", "nodes", "blockAffinities"]);
    assert.deepEqual(json.pools[0], {
      name: "default-ipv4-ippool",
      cidr: "192.168.0.0/16",
      blockSize: 26,
      ipsTotal: 65536,
      ipsInUse: 14,
      ipsFree: 65522,
    });
    assert.equal(json.blockAffinities.length, 7);
    assert.equal(json.blockAffinities[1].deleted, true);
    assert.equal(json.blockAffinities[0].deleted, false);
  });

  it("uses the current stack's kubeconfig output when no --kubeconfig is given", async () => {
    const r = await run([], { stack: async () => fakeKubeconfig(server.url), env: { KUBECONFIG: "/nonexistent/ignored" } });
    assert.equal(r.code, 0);
    assert.equal(r.stackLookups, 1);
    assert.equal(r.out, POOL_TABLE);
    // Paged reads really happened against this server.
    assert.ok(server.requests.some((req) => req.path === PATHS.ipamblocks));
  });

  it("falls back to $KUBECONFIG when there is no stack", async () => {
    const r = await run([], { env: { KUBECONFIG: kubeconfigFile } });
    assert.equal(r.code, 0);
    assert.equal(r.stackLookups, 1);
    assert.equal(r.out, POOL_TABLE);
  });

  it("says what to do when there is neither a stack nor $KUBECONFIG", async () => {
    const r = await run([]);
    assertOneErrorLine(r, /no kubeconfig: no stack output \(`pulumi stack output kubeconfig` failed \(error: no stack selected\)\)/);
    assert.match(r.err, /run `pulumi up` in this project first, or pass --kubeconfig FILE/);
  });

  it("says the Calico CRDs are missing (404), exit 1", async () => {
    server.failWith(PATHS.ippools, 404);
    const r = await run(["--kubeconfig", kubeconfigFile]);
    assertOneErrorLine(r, /^error: Calico CRDs not found: .* has no ippools\.crd\.projectcalico\.org \(is Calico installed\?\)\n$/);
  });

  it("names the resource and user when forbidden (403), exit 1", async () => {
    server.failWith(PATHS.blockaffinities, 403);
    const r = await run(["--kubeconfig", kubeconfigFile, "--json"]);
    assertOneErrorLine(r, /^error: forbidden: user "lab-viewer" may not list blockaffinities\.crd\.projectcalico\.org on /);
  });

  it("names the API server it cannot reach, exit 1", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await run([], { stack: async () => fakeKubeconfig(url) });
    assertOneErrorLine(r, new RegExp(`^error: cannot reach the Kubernetes API at ${url.replace(/\./g, "\\.")} \\(ECONNREFUSED\\)\\n$`));
  });

  it("says which kubeconfig file it cannot read", async () => {
    const r = await run(["--kubeconfig", "/nonexistent/calico-ipam.kubeconfig"]);
    assertOneErrorLine(r, /cannot read the kubeconfig \/nonexistent\/calico-ipam\.kubeconfig \(--kubeconfig\): no such file/);
  });

  it("rejects an unknown option with the usage, exit 2", async () => {
    const r = await run(["--show-block"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: Unknown option '--show-block'.*\nusage: npm run ipam -- \[--kubeconfig FILE\]/);
  });

  it("writes the SVG map with --svg and keeps stdout for the report", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-svg-"));
    const file = path.join(dir, "ipam.svg");
    try {
      const r = await run(["--kubeconfig", kubeconfigFile, "--json", "--svg", file]);
      assert.equal(r.code, 0);
      JSON.parse(r.out);
      assert.equal(r.err, `wrote the IPAM map to ${file}\n`);
      const svg = fs.readFileSync(file, "utf8");
      assert.match(svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      for (const node of ["calico-ipam-control-plane", "calico-ipam-worker", "calico-ipam-worker2"]) assert.ok(svg.includes(node));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("as a real process: no pulumi CLI, no $KUBECONFIG -> one line, exit 1", function () {
    this.timeout(60_000);
    const cli = path.join(__dirname, "..", "..", "cli", "ipam.ts");
    // A PATH with bash alone: scripts/pulumi.sh runs, finds neither pulumi nor npx, and says so.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-path-"));
    const bash = spawnSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
    fs.symlinkSync(bash, path.join(bin, "bash"));
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli], {
      cwd: path.join(__dirname, "..", ".."),
      env: { PATH: bin, HOME: os.tmpdir() },
      encoding: "utf8",
    });
    fs.rmSync(bin, { recursive: true, force: true });
    assert.equal(child.status, 1, child.stderr);
    assert.equal(child.stdout, "");
    assert.equal(
      child.stderr,
      "error: no kubeconfig: no stack output (`pulumi stack output kubeconfig` failed (calico-ipam: no pulumi CLI on PATH " +
        "and no npx to fetch one: install the Pulumi CLI (https://www.pulumi.com/docs/install/))) and $KUBECONFIG is not set; " +
        "run `pulumi up` in this project first, or pass --kubeconfig FILE\n",
    );
  });
});
