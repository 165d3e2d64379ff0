import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runIpamCli, type CliIo } from "../../cli/ipam";
import { causeLine } from "../../cli/kubeconfig-source";
import { LAB_POOL_TABLE } from "../ipam/fixture-state";
import { closedPort, fakeKubeconfig, PATHS, startFakeApiServer, writeFakeKubeconfig, type FakeApiServer } from "../support/fake-apiserver";

interface Run {
  code: number;
  out: string;
  err: string;
  stackLookups: number;
}

const ROOT = path.join(__dirname, "..", "..");
const NO_STACK = "`pulumi stack output kubeconfig` failed (error: no stack named 'dev' found)";

/** What `pulumi stack output kubeconfig` says on a stack that exports none (target existing). */
const NO_OUTPUT = "`pulumi stack output kubeconfig` failed (error: current stack does not have output property 'kubeconfig')";

async function run(
  argv: string[],
  opts: Partial<CliIo> & { stack?: () => Promise<string>; stackConfig?: Record<string, string> } = {},
): Promise<Run> {
  const result: Run = { code: -1, out: "", err: "", stackLookups: 0 };
  const stack =
    opts.stack ??
    (async (): Promise<string> => {
      throw new Error(NO_STACK);
    });
  result.code = await runIpamCli(argv, {
    out: (t) => (result.out += t),
    err: (t) => (result.err += t),
    env: opts.env ?? {},
    patienceMs: opts.patienceMs,
    timeoutMs: opts.timeoutMs,
    getStackKubeconfig: () => {
      result.stackLookups += 1;
      return stack();
    },
    getStackConfig: async (key) => opts.stackConfig?.[key],
  });
  return result;
}

function assertOneErrorLine(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  const errors = r.err.split("\n").filter((l) => l.startsWith("error: "));
  assert.equal(errors.length, 1, r.err);
  assert.match(errors[0], pattern);
  assert.doesNotMatch(r.err, /\bat .*\.ts:\d+/, "no stack trace");
}

/** A real `npm run -s ipam` process, the way the README tells users to pipe it. */
function npmRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", "ipam", "--", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("npm run ipam", () => {
  let server: FakeApiServer;
  let kubeconfigFile: string;
  let tmp: string;
  beforeEach(async () => {
    server = await startFakeApiServer();
    kubeconfigFile = writeFakeKubeconfig(server.url);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-cli-"));
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(path.dirname(kubeconfigFile), { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("prints calicoctl's table on stdout and which cluster it read on stderr", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile]);
    assert.equal(r.code, 0);
    assert.equal(r.out, LAB_POOL_TABLE);
    assert.equal(r.err, `reading ${server.url} (context "fake", kubeconfig from --kubeconfig ${kubeconfigFile})\n`);
    assert.equal(r.stackLookups, 0);
  });

  it("prints the ipam object plus blockAffinities with --json, counts as decimal strings", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile, "--json"]);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out);
    assert.deepEqual(Object.keys(json), ["pools", "blocks", "orphanBlocks", "nodes", "check", "blockAffinities"]);
    assert.equal(json.pools[0].ipsTotal, "65536");
    assert.deepEqual(json.check, { ipsAllocated: "17", ipsInUse: "17", problems: 0 });
    assert.equal(json.blockAffinities.length, 7);
  });

  it("uses the stack's kubeconfig output, and says so", async () => {
    const r = await run([], { stack: async () => fakeKubeconfig(server.url), env: { KUBECONFIG: "/nonexistent/ignored" } });
    assert.equal(r.code, 0);
    assert.equal(r.out, LAB_POOL_TABLE);
    assert.match(r.err, /kubeconfig from the stack's kubeconfig output\)\n$/);
  });

  it("falls back to $KUBECONFIG only when there is no stack yet, and says so first", async () => {
    const r = await run([], { env: { KUBECONFIG: `/nonexistent/a${path.delimiter}${kubeconfigFile}` } });
    assert.equal(r.code, 0);
    assert.equal(r.out, LAB_POOL_TABLE);
    assert.equal(
      r.err,
      `no stack output (${NO_STACK}): using $KUBECONFIG\nreading ${server.url} (context "fake", kubeconfig from $KUBECONFIG ${kubeconfigFile})\n`,
    );
  });

  it("never switches to $KUBECONFIG when the stack exists but cannot be read", async () => {
    const stack = async (): Promise<string> => {
      throw new Error("`pulumi stack output kubeconfig` failed (error: constructing secrets manager: incorrect passphrase)");
    };
    const r = await run([], { stack, env: { KUBECONFIG: kubeconfigFile } });
    assertOneErrorLine(r, /^error: cannot read the stack's kubeconfig output: .*incorrect passphrase\); fix that, or pass --kubeconfig FILE$/);
  });

  it("names the kubeconfig it could not use", async () => {
    const file = path.join(tmp, "empty.kubeconfig");
    fs.writeFileSync(file, "");
    assertOneErrorLine(await run(["--kubeconfig", file]), new RegExp(`^error: --kubeconfig ${file.replace(/\./g, "\\.")}: the kubeconfig is empty$`));
  });

  it("quotes the line of a failed stack lookup that says why, not a download banner", () => {
    assert.equal(causeLine("Downloading pulumi v3.200.0...\nerror: no stack named 'dev' found\n"), "error: no stack named 'dev' found");
    assert.equal(causeLine("Downloading...\nsomething else went wrong\n"), "something else went wrong");
  });

  it("says what to do when there is neither a stack nor $KUBECONFIG nor ~/.kube/config", async () => {
    const r = await run([], { env: { HOME: tmp } });
    assertOneErrorLine(r, /^error: no kubeconfig: no stack output \(.*no stack named 'dev' found\)\), \$KUBECONFIG is not set and there is no ~\/\.kube\/config; run `npm run up`/);
  });

  it("on a stack that exports no kubeconfig (target existing), reads the stack's own kubeconfigPath or kubeconfig", async () => {
    const byPath = await run([], { stack: async () => { throw new Error(NO_OUTPUT); }, stackConfig: { kubeconfigPath: kubeconfigFile }, env: { KUBECONFIG: "/nonexistent/ignored" } });
    assert.equal(byPath.code, 0, byPath.err);
    assert.equal(
      byPath.err,
      "the stack has no kubeconfig output (target existing): using its calico-ipam:kubeconfigPath\n" +
        `reading ${server.url} (context "fake", kubeconfig from the stack's calico-ipam:kubeconfigPath ${kubeconfigFile})\n`,
    );
    const byValue = await run([], { stack: async () => { throw new Error(NO_OUTPUT); }, stackConfig: { kubeconfig: fakeKubeconfig(server.url) } });
    assert.equal(byValue.code, 0, byValue.err);
    assert.match(byValue.err, /kubeconfig from the stack's calico-ipam:kubeconfig\)\n$/);
  });

  it("never switches away from the stack's kubeconfigPath when that file cannot be read", async () => {
    const gone = path.join(tmp, "gone.kubeconfig");
    const r = await run([], { stack: async () => { throw new Error(NO_OUTPUT); }, stackConfig: { kubeconfigPath: gone }, env: { KUBECONFIG: kubeconfigFile } });
    assertOneErrorLine(r, new RegExp(`^error: cannot read the kubeconfig ${gone.replace(/\./g, "\\.")} \\(the stack's calico-ipam:kubeconfigPath .*\\): no such file$`));
  });

  it("falls back to $KUBECONFIG, then to ~/.kube/config, when the stack names no cluster", async () => {
    const noOutput = async (): Promise<string> => { throw new Error(NO_OUTPUT); };
    const viaEnv = await run([], { stack: noOutput, env: { KUBECONFIG: kubeconfigFile, HOME: tmp } });
    assert.equal(viaEnv.code, 0, viaEnv.err);
    assert.match(viaEnv.err, /: using \$KUBECONFIG\n.*kubeconfig from \$KUBECONFIG /);
    fs.mkdirSync(path.join(tmp, ".kube"));
    fs.copyFileSync(kubeconfigFile, path.join(tmp, ".kube", "config"));
    const viaHome = await run([], { env: { HOME: tmp } });
    assert.equal(viaHome.code, 0, viaHome.err);
    assert.equal(
      viaHome.err,
      `no stack output (${NO_STACK}) and no $KUBECONFIG: using ~/.kube/config\n` +
        `reading ${server.url} (context "fake", kubeconfig from ~/.kube/config ${path.join(tmp, ".kube", "config")})\n`,
    );
  });

  it("reads another context with --context, and lists the contexts when it does not exist", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const two = fakeKubeconfig(url)
      .replace("current-context: fake", "current-context: broken")
      .replace("contexts:\n- name: fake", `contexts:\n- name: broken\n  context:\n    cluster: fake\n    user: lab-viewer\n- name: fake`)
      .replace("clusters:\n", `clusters:\n- name: good\n  cluster:\n    server: ${server.url}\n    insecure-skip-tls-verify: true\n`)
      .replace("- name: fake\n  context:\n    cluster: fake", "- name: lab\n  context:\n    cluster: good");
    const file = path.join(tmp, "two.kubeconfig");
    fs.writeFileSync(file, two);
    const good = await run(["--kubeconfig", file, "--context", "lab"]);
    assert.equal(good.code, 0, good.err);
    assert.match(good.err, new RegExp(`^reading ${server.url.replace(/\./g, "\\.")} \\(context "lab"`));
    const missing = await run(["--kubeconfig", file, "--context", "prod"]);
    assertOneErrorLine(missing, /^error: --kubeconfig \S+two\.kubeconfig: the kubeconfig has no context "prod" \(--context\); its contexts: "broken", "lab"$/);
  });

  it("says it is still waiting, and gives up after the timeout with one line", async () => {
    server.override(PATHS.ippools, () => undefined);
    const r = await run(["--kubeconfig", kubeconfigFile], { patienceMs: 50, timeoutMs: 400 });
    assert.match(r.err, new RegExp(`\\nstill waiting for ${server.url.replace(/\./g, "\\.")}; giving up after 0.4s without an answer\\n`));
    assertOneErrorLine(r, /^error: cannot reach the Kubernetes API at .*: no answer within 0\.4s$/);
  });

  it("says the Calico CRDs are missing (404), and names the permission on a 403", async () => {
    server.failWith(PATHS.ippools, 404);
    assertOneErrorLine(await run(["--kubeconfig", kubeconfigFile]), /^error: Calico CRDs not found: .* has no ippools\.crd\.projectcalico\.org \(is Calico installed\?\)$/);
    server.failWith(PATHS.ippools, 403);
    assertOneErrorLine(await run(["--kubeconfig", kubeconfigFile]), /^error: forbidden: user "lab-viewer" may not list ippools\.crd\.projectcalico\.org on .*RBAC permission to list "ippools"/);
  });

  it("prints warnings for odd objects on stderr, one line each, and the table of the rest", async () => {
    const odd = { metadata: { name: "odd-block" }, spec: { cidr: "10.0.0.0/26", allocations: { a: 1 } } };
    server.setItems(PATHS.ipamblocks, [...(JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/ipam/ipamblocks.json"), "utf8")).items as unknown[]), odd]);
    const r = await run(["--kubeconfig", kubeconfigFile]);
    assert.equal(r.code, 0);
    assert.equal(r.out, LAB_POOL_TABLE);
    assert.match(r.err, /\nwarning: IPAMBlock "odd-block" skipped: spec\.allocations is an object, not a list of indexes\n$/);
  });

  it("check: calicoctl's report, exit 0 when clean and 1 when it finds problems; --json for data", async () => {
    const clean = await run(["check", "--kubeconfig", kubeconfigFile]);
    assert.equal(clean.code, 0);
    assert.match(clean.out, /^Checking IPAM for inconsistencies\.\.\.\n[\s\S]*Check complete; found 0 problems\.\n$/);
    server.setItems(PATHS.pods, []);
    const leaky = await run(["check", "--kubeconfig", kubeconfigFile, "--json"]);
    assert.equal(leaky.code, 1);
    const report = JSON.parse(leaky.out);
    assert.equal(report.summary.problems, 14);
    assert.ok(report.problems.every((p: { kind: string }) => p.kind === "leaked-ip"));
    assert.ok(server.requests.every((req) => req.method === "GET"), "check never writes");
  });

  it("check: a 403 on pods says which permission is missing", async () => {
    server.failWith(PATHS.pods, 403);
    assertOneErrorLine(await run(["check", "--kubeconfig", kubeconfigFile]), /^error: cannot check: forbidden: user "lab-viewer" may not list pods .*RBAC permission to list "pods" in the core API group$/);
  });

  it("--ip ADDR prints calicoctl's text; --json gives the block, its node and the handle", async () => {
    const text = await run(["--kubeconfig", kubeconfigFile, "--ip", "192.168.2.1"]);
    assert.equal(text.out, "IP 192.168.2.1 is in use\nAttributes:\n  namespace: calico-system\n  node: calico-ipam-worker2\n  pod: csi-node-driver-8hz2c\n  timestamp: 2025-11-24 00:21:58.447921 +0000 UTC\n");
    const json = JSON.parse((await run(["--kubeconfig", kubeconfigFile, "--ip", "192.168.2.1", "--json"])).out);
    assert.deepEqual([json.block, json.blockNode, json.inUse], ["192.168.2.0/26", "calico-ipam-worker2", true]);
    assertOneErrorLine(await run(["--kubeconfig", kubeconfigFile, "--ip", "192.168.2", "--json"]), /^error: invalid IP address specified: "192\.168\.2"$/);
  });

  it("--ip with something that is not an address prints calicoctl's line on stdout, exit 1", async () => {
    // calicoctl v3.30.7, calicoctl/calicoctl/commands/argutils/validate.go ValidateIP (called by
    // commands/ipam/show.go showIP): net.ParseIP fails -> fmt.Printf("Error executing command: invalid
    // IP address specified: %s\n", str) on stdout, then os.Exit(1). Not the stderr that calicoctl.go
    // main uses for errors returned by a command.
    for (const bad of ["garbage", "192.168.2"]) {
      const r = await run(["--kubeconfig", kubeconfigFile, "--ip", bad]);
      assert.equal(r.code, 1);
      assert.equal(r.out, `Error executing command: invalid IP address specified: ${bad}\n`);
      assert.doesNotMatch(r.err, /^error: /m, r.err);
    }
  });

  it("--show-affinities lists which node holds which block, like kubectl get blockaffinities", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile, "--show-affinities"]);
    assert.equal(r.out.split("\n")[0], "NAME                                         NODE                        CIDR               STATE");
    assert.equal(r.out.split("\n")[1], "calico-ipam-control-plane-192-168-0-64-26    calico-ipam-control-plane   192.168.0.64/26    confirmed");
  });

  it("--show-borrowed and --show-configuration print calicoctl's tables", async () => {
    assert.match((await run(["--kubeconfig", kubeconfigFile, "--show-borrowed"])).out, /\| 192\.168\.1\.69 \| calico-ipam-worker2 \|/);
    assert.match((await run(["--kubeconfig", kubeconfigFile, "--show-configuration"])).out, /\| AutoAllocateBlocks \| true {2}\|/);
  });

  it("rejects unknown options and combinations calicoctl rejects, exit 2", async () => {
    for (const [argv, says] of [
      [["--show-block"], /^error: Unknown option '--show-block'\nusage: npm run -s ipam -- \[check\] \[options\] \(see --help\)\n$/],
      [["--show-blocks", "--ip", "10.0.0.1"], /^error: choose one of --show-blocks, --ip, as with calicoctl\n/],
      [["chek"], /^error: unknown command "chek": the only command is check\n/],
      [["--svg", "-", "--json"], /^error: --svg - writes the picture to stdout/],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2);
      assert.match(r.err, says);
    }
  });

  it("--help prints every option", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    for (const option of ["--kubeconfig", "--context", "--show-blocks", "--show-borrowed", "--show-configuration", "--ip", "--show-affinities", "--json", "--svg", "check"]) {
      assert.ok(r.out.includes(option), option);
    }
  });

  it("writes the SVG with --svg FILE, or to stdout with --svg -", async () => {
    const file = path.join(tmp, "ipam.svg");
    const r = await run(["--kubeconfig", kubeconfigFile, "--json", "--svg", file]);
    assert.equal(r.code, 0);
    JSON.parse(r.out);
    assert.match(r.err, new RegExp(`wrote the IPAM map to ${file.replace(/\./g, "\\.")}\\n$`));
    assert.match(fs.readFileSync(file, "utf8"), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg /);
    const piped = await run(["--kubeconfig", kubeconfigFile, "--svg", "-"]);
    assert.equal(piped.code, 0);
    assert.match(piped.out, /^<\?xml [^\n]*\n<svg [\s\S]*<\/svg>\n$/);
    assert.ok(!fs.existsSync(path.join(ROOT, "-")));
  });

  it("says why an SVG cannot be written, in words; odd pools are drawn, not a write failure", async () => {
    const r = await run(["--kubeconfig", kubeconfigFile, "--svg", path.join(tmp, "missing", "ipam.svg")]);
    assertOneErrorLine({ ...r, out: "" }, new RegExp(`^error: cannot write .*ipam\\.svg: the folder ${tmp.replace(/\./g, "\\.")}/missing does not exist$`));
    server.setItems(PATHS.ippools, [{ metadata: { name: "odd" }, spec: { cidr: "192.168.0.0/16", blockSize: 33 } }]);
    const odd = await run(["--kubeconfig", kubeconfigFile, "--svg", path.join(tmp, "odd.svg")]);
    assert.equal(odd.code, 0, odd.err);
    assert.match(odd.err, /warning: IPPool "odd" has blockSize 33/);
    assert.ok(fs.statSync(path.join(tmp, "odd.svg")).size > 1000);
  });

  describe("as a real process", function () {
    this.timeout(60_000);

    it("`npm run -s ipam -- --json` prints JSON alone on stdout, so it pipes into jq", async () => {
      const r = await npmRun(["--json", "--kubeconfig", kubeconfigFile]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).pools.length, 2);
      assert.match(r.stderr, /^reading http:\/\/127\.0\.0\.1:\d+ \(context "fake"/);
    });

    it("`npm run -s ipam -- check` exits 1 with the problems when it finds some", async () => {
      server.setItems(PATHS.pods, []);
      const r = await npmRun(["check", "--kubeconfig", kubeconfigFile]);
      assert.equal(r.status, 1);
      assert.match(r.stdout, /Check complete; found 14 problems\.\n$/);
    });

    /**
     * `ts-node cli/ipam.ts` with only bash and a fake `pulumi` on PATH: the stack exists and exports no
     * kubeconfig (target existing); `config get` answers from `config`, as Pulumi does (a key it does not
     * set: "configuration key '...' not found for stack"). Every pulumi call is logged.
     */
    async function existingStackCli(config: Record<string, string>, home: string): Promise<{ status: number | null; stderr: string; pulumiCalls: string[] }> {
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-path-"));
      const log = path.join(bin, "pulumi.log");
      fs.symlinkSync(spawnSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim(), path.join(bin, "bash"));
      const answers = Object.entries(config).map(([key, value]) => `  "config get calico-ipam:${key}") printf '%s\\n' ${JSON.stringify(value)}; exit 0 ;;`);
      fs.writeFileSync(path.join(bin, "pulumi"), [
        "#!/usr/bin/env bash",
        `printf '%s\\n' "$*" >> ${JSON.stringify(log)}`,
        "case \"$1 ${2:-} ${3:-}\" in",
        "  whoami*) exit 0 ;;",
        "  \"stack output kubeconfig\") echo \"error: current stack does not have output property 'kubeconfig'\" >&2; exit 255 ;;",
        ...answers,
        "  \"config get \"*) echo \"error: configuration key '$3' not found for stack 'dev'\" >&2; exit 255 ;;",
        "esac",
        "echo \"unexpected: $*\" >&2; exit 2",
        "",
      ].join("\n"), { mode: 0o755 });
      try {
        return await new Promise((resolve) => {
          const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/ipam.ts"], { cwd: ROOT, env: { PATH: bin, HOME: home } });
          let stderr = "";
          child.stderr.on("data", (d) => (stderr += d));
          child.on("close", (status) => {
            const pulumiCalls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
            resolve({ status, stderr, pulumiCalls });
          });
        });
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    }

    it("on target existing, reads the stack's calico-ipam:kubeconfigPath (~ expanded) through pulumi config get, creating no stack", async () => {
      fs.copyFileSync(kubeconfigFile, path.join(tmp, "lab.kubeconfig"));
      const r = await existingStackCli({ kubeconfigPath: "~/lab.kubeconfig" }, tmp);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stderr,
        "the stack has no kubeconfig output (target existing): using its calico-ipam:kubeconfigPath\n" +
          `reading ${server.url} (context "fake", kubeconfig from the stack's calico-ipam:kubeconfigPath ${path.join(tmp, "lab.kubeconfig")})\n`,
      );
      assert.deepEqual(r.pulumiCalls, ["whoami", "stack output kubeconfig --show-secrets --stack dev", "whoami", "config get calico-ipam:kubeconfigPath --stack dev"]);
    });

    it("with a stack that names no cluster and no $KUBECONFIG, reads ~/.kube/config and says so", async () => {
      fs.mkdirSync(path.join(tmp, ".kube"));
      fs.copyFileSync(kubeconfigFile, path.join(tmp, ".kube", "config"));
      const r = await existingStackCli({}, tmp);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /: using ~\/\.kube\/config\n/);
      assert.match(r.stderr, new RegExp(`kubeconfig from ~/\\.kube/config ${path.join(tmp, ".kube", "config").replace(/\./g, "\\.")}\\)\n$`));
      assert.ok(r.pulumiCalls.includes("config get calico-ipam:kubeconfig --stack dev"), r.pulumiCalls.join("\n"));
    });

    it("with no pulumi CLI and no $KUBECONFIG: one line, exit 1", () => {
      // A PATH with bash alone: scripts/pulumi.sh runs, finds neither pulumi nor npx, and says so.
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-path-"));
      fs.symlinkSync(spawnSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim(), path.join(bin, "bash"));
      const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/ipam.ts"], {
        cwd: ROOT,
        env: { PATH: bin, HOME: bin },
        encoding: "utf8",
      });
      fs.rmSync(bin, { recursive: true, force: true });
      assert.equal(child.status, 1, child.stderr);
      assert.equal(child.stdout, "");
      assert.equal(
        child.stderr,
        "error: no kubeconfig: no stack output (`pulumi stack output kubeconfig` failed (calico-ipam: no pulumi CLI on PATH " +
          "and no npx to fetch one: install the Pulumi CLI (https://www.pulumi.com/docs/install/))), $KUBECONFIG is not set " +
          "and there is no ~/.kube/config; run `npm run up` in this project first, or pass --kubeconfig FILE\n",
      );
    });
  });
});
