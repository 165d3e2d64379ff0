// scripts/pulumi.sh (npm run up | destroy | pulumi) run for real with bash, in a sandbox, with fake
// `pulumi` and `npx` commands on PATH that record what they are given.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..", "..");
const TOOLS = ["bash", "env", "mkdir", "chmod", "find", "head", "base64", "cat", "printf", "od", "tr"];

const FAKE_PULUMI = `#!/usr/bin/env bash
if [ "$1" = whoami ]; then [ -n "\${FAKE_LOGGED_IN:-}" ]; exit $?; fi
{
  printf 'args=%s\\n' "$*"
  printf 'backend=%s\\n' "\${PULUMI_BACKEND_URL-<unset>}"
  printf 'passphrase=%s\\n' "\${PULUMI_CONFIG_PASSPHRASE-<unset>}"
  printf 'passphrase_file=%s\\n' "\${PULUMI_CONFIG_PASSPHRASE_FILE-<unset>}"
  printf 'ssh_auth_sock=%s\\n' "\${SSH_AUTH_SOCK-<unset>}"
} >> "$FAKE_LOG"
if [ "$1 $2" = "stack select" ] && [ -n "\${FAKE_NO_STACK:-}" ]; then echo "error: no stack named '$3' found" >&2; exit 255; fi
if [ "$1 $2" = "stack select" ] && [ -n "\${FAKE_SELECT_ERROR:-}" ]; then echo "$FAKE_SELECT_ERROR" >&2; exit 255; fi
if [ "$1" = up ] && [ -n "\${FAKE_UP_EXIT:-}" ]; then echo "confirmation declined, not proceeding with the update"; exit "$FAKE_UP_EXIT"; fi
if [ "$1 $2 $3" = "stack output summary" ]; then
  if [ -z "\${FAKE_SUMMARY:-}" ]; then echo "error: current stack does not have output property 'summary'" >&2; exit 255; fi
  echo "$FAKE_SUMMARY"
fi
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: Record<string, string>[];
}

/** The `pulumi up` call of a run (an up is followed by the summary lookup). */
const upCall = (run: Run): Record<string, string> => run.calls.find((c) => c.args.startsWith("up ")) ?? assert.fail("no up call");

interface Sandbox {
  dir: string;
  home: string;
  log: string;
  run(args: string[], env?: Record<string, string>, opts?: { withPulumi?: boolean }): Run;
}

function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-pulumi-sh-"));
  const home = path.join(dir, "home");
  const project = path.join(dir, "project");
  const tools = path.join(dir, "tools");
  const fakes = path.join(dir, "fakes");
  for (const d of [home, path.join(project, "scripts"), tools, fakes]) fs.mkdirSync(d, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "scripts", "pulumi.sh"), path.join(project, "scripts", "pulumi.sh"));
  // Only the tools the script needs, so a pulumi installed on this machine never answers instead of the fake.
  for (const tool of TOOLS) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found.startsWith("/")) fs.symlinkSync(found, path.join(tools, tool));
  }
  fs.writeFileSync(path.join(fakes, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
  const log = path.join(dir, "calls.log");
  return {
    dir,
    home,
    log,
    run(args, env = {}, opts = { withPulumi: true }) {
      fs.rmSync(log, { force: true });
      const bin = opts.withPulumi ? fakes : path.join(dir, "npx-only");
      if (!opts.withPulumi) {
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, "npx"), `#!/usr/bin/env bash\nprintf 'npx=%s\\n' "$*" >> "$FAKE_LOG"\nshift 2\nexec ${path.join(fakes, "pulumi")} "$@"\n`, { mode: 0o755 });
      }
      const result = spawnSync("bash", [path.join(project, "scripts", "pulumi.sh"), ...args], {
        encoding: "utf8",
        env: { PATH: `${bin}:${tools}`, HOME: home, FAKE_LOG: log, ...env },
      });
      const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
      const calls = text.split(/(?=^args=)/m).filter(Boolean).map((block) =>
        Object.fromEntries(block.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)])),
      );
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
    },
  };
}

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe("scripts/pulumi.sh", () => {
  let box: Sandbox;
  beforeEach(() => {
    box = sandbox();
  });
  afterEach(() => fs.rmSync(box.dir, { recursive: true, force: true }));

  it("keeps a new local state store private, encrypted with a generated passphrase kept outside the repository", () => {
    const first = box.run(["up"]);
    assert.equal(first.status, 0, first.stderr);
    const state = path.join(box.dir, "project", ".pulumi-state");
    const file = path.join(box.home, ".config", "calico-ipam", "passphrase");
    assert.equal(mode(state), "700");
    assert.equal(mode(file), "600");
    assert.equal(mode(path.dirname(file)), "700");
    assert.ok(fs.readFileSync(file, "utf8").trim().length >= 40, "32 random bytes");
    const last = upCall(first);
    assert.equal(last.args, "up --suppress-outputs --stack dev");
    assert.equal(last.backend, `file://${path.join(box.dir, "project", ".pulumi-state")}`);
    assert.equal(last.passphrase, "<unset>", "an empty PULUMI_CONFIG_PASSPHRASE would win over the file");
    assert.equal(last.passphrase_file, file);
    const before = fs.readFileSync(file, "utf8");
    box.run(["up"]);
    assert.equal(fs.readFileSync(file, "utf8"), before, "the same passphrase on every run");
  });

  it("never overrides the user's own passphrase, passphrase file, backend or login", () => {
    const own = upCall(box.run(["up"], { PULUMI_CONFIG_PASSPHRASE: "" }));
    assert.deepEqual([own.passphrase, own.passphrase_file], ["", "<unset>"]);
    const ownFile = upCall(box.run(["up"], { PULUMI_CONFIG_PASSPHRASE_FILE: "/secure/pass" }));
    assert.deepEqual([ownFile.passphrase, ownFile.passphrase_file], ["<unset>", "/secure/pass"]);
    for (const env of [{ PULUMI_BACKEND_URL: "s3://bucket" }, { FAKE_LOGGED_IN: "1" }] as Record<string, string>[]) {
      const call = upCall(box.run(["up"], env));
      assert.deepEqual([call.passphrase, call.passphrase_file], ["<unset>", "<unset>"], JSON.stringify(env));
    }
    assert.equal(fs.existsSync(path.join(box.home, ".config", "calico-ipam", "passphrase")), false);
  });

  it("keeps stacks made with the empty passphrase readable, and says how to move them", () => {
    const stacks = path.join(box.dir, "project", ".pulumi-state", ".pulumi", "stacks", "calico-ipam");
    fs.mkdirSync(stacks, { recursive: true });
    fs.writeFileSync(path.join(stacks, "dev.json"), "{}");
    const result = box.run(["up"]);
    assert.equal(upCall(result).passphrase, "");
    assert.match(result.stderr, /encrypted with an empty passphrase; README "Security" says how/);
    assert.equal(mode(path.join(box.dir, "project", ".pulumi-state")), "700", "an old store is made private too");
  });

  it("runs an exact CLI version through npx when none is installed, one Pulumi.yaml accepts", () => {
    const result = box.run(["up"], {}, { withPulumi: false });
    const npx = fs.readFileSync(box.log, "utf8").match(/^npx=(.*)$/m)?.[1];
    assert.match(npx ?? "", /^--yes pulumi@(\d+)\.(\d+)\.(\d+) /);
    assert.match(result.stderr, /installs Pulumi CLI \d+\.\d+\.\d+ under ~\/\.pulumi\/versions/);
    const [, major, minor, patch] = /pulumi@(\d+)\.(\d+)\.(\d+)/.exec(npx!)!.map(Number);
    const required = (parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { requiredPulumiVersion: string }).requiredPulumiVersion;
    const [, rmajor, rminor, rpatch] = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(required)!.map(Number);
    assert.ok(major * 1e6 + minor * 1e3 + patch >= rmajor * 1e6 + rminor * 1e3 + rpatch, `${npx} is older than ${required}`);
  });

  it("creates the stack for up and config set, never for the lookups npm run ipam makes", () => {
    const stackCalls = (args: string[], env: Record<string, string> = {}) =>
      box.run(args, env).calls.filter((c) => /^(stack (select|init)|config set calico-ipam:stackId)/.test(c.args)).map((c) => c.args);
    assert.deepEqual(stackCalls(["up"]), ["stack select dev"]);
    assert.deepEqual(stackCalls(["config", "set", "calico-ipam:target", "existing"]), ["stack select dev"]);
    assert.deepEqual(stackCalls(["stack", "output", "kubeconfig", "--show-secrets"]), []);
    assert.deepEqual(stackCalls(["config", "get", "calico-ipam:kubeconfigPath"]), []);
    assert.equal(box.run(["config", "get", "calico-ipam:kubeconfigPath"]).calls.at(-1)!.args, "config get calico-ipam:kubeconfigPath --stack dev");
    // A new stack gets an id of its own, a new one each time; a stack that exists keeps what it has (above).
    const created = [stackCalls(["up"], { FAKE_NO_STACK: "1" }), stackCalls(["up"], { FAKE_NO_STACK: "1" })];
    for (const calls of created) {
      assert.equal(calls.length, 3);
      assert.deepEqual(calls.slice(0, 2), ["stack select dev", "stack init dev"]);
      assert.match(calls[2], /^config set calico-ipam:stackId [0-9a-f]{12} --stack dev$/);
    }
    assert.notEqual(created[0][2], created[1][2]);
    // Any other failure to select the stack stops there, in Pulumi's words: no stack is created then.
    const failed = box.run(["up"], { FAKE_SELECT_ERROR: "error: getting user info: 503 Service Unavailable" });
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /^error: getting user info: 503 Service Unavailable$/m);
    assert.deepEqual(failed.calls.map((c) => c.args), ["stack select dev"]);
  });

  it("never creates the stack for a destroy: a missing stack is Pulumi's error, not an empty stack destroyed", () => {
    // A lab made from another folder, under another PULUMI_STACK, or before a `pulumi login`/`logout`
    // lives in another state store or stack. Creating an empty one here would let `npm run destroy`
    // succeed with nothing deleted while the lab's host keeps running; without --create, Pulumi's
    // destroy loads the stack only (RequireStack with LoadOnly) and fails "no stack named 'dev' found".
    assert.deepEqual(box.run(["destroy"]).calls.map((c) => c.args), ["destroy --stack dev"]);
    assert.deepEqual(box.run(["destroy", "--yes"]).calls.map((c) => c.args), ["destroy --yes --stack dev"]);
  });

  it("ends an up with the one-line summary output instead of every output", () => {
    const result = box.run(["up", "--yes"], { FAKE_SUMMARY: "3 nodes, 3 blocks of /26 claimed; next: npm run -s ipam -- --show-blocks" });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(upCall(result).args, "up --yes --suppress-outputs --stack dev");
    assert.equal(result.calls.at(-1)!.args, "stack output summary --stack dev");
    assert.equal(result.stdout, "\n3 nodes, 3 blocks of /26 claimed; next: npm run -s ipam -- --show-blocks\n");
    // A stack from before the summary output: the up still succeeds, with nothing added.
    const old = box.run(["up"]);
    assert.equal(old.status, 0, old.stderr);
    assert.equal(old.stdout, "");
    // Every other command keeps every output, e.g. `stack output` itself.
    assert.equal(box.run(["stack", "output"]).calls.at(-1)!.args, "stack output --stack dev");
  });

  it("shows no summary after a failed or declined up, and keeps its exit status", () => {
    // Declining the preview is a bail, exit status 255 (pulumi pkg/backend/apply.go "confirmation declined";
    // pkg/cmd/pulumi/cmd/exit_codes.go ExitCodeFor: a bail is ExitCodeError).
    const declined = box.run(["up"], { FAKE_UP_EXIT: "255", FAKE_SUMMARY: "an old summary" });
    assert.equal(declined.status, 255);
    assert.doesNotMatch(declined.stdout, /an old summary/);
    assert.equal(declined.calls.some((c) => c.args.startsWith("stack output")), false);
  });

  it("drops an SSH_AUTH_SOCK left from an earlier login, and keeps a live one", async () => {
    const stale = box.run(["up"], { SSH_AUTH_SOCK: path.join(box.dir, "gone", "agent.1") });
    assert.equal(upCall(stale).ssh_auth_sock, "<unset>");
    assert.match(stale.stderr, /SSH_AUTH_SOCK .* is not a socket/);
    const socket = path.join(box.dir, "agent.live");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      assert.equal(upCall(box.run(["up"], { SSH_AUTH_SOCK: socket })).ssh_auth_sock, socket);
    } finally {
      server.close();
    }
  });
});

describe("Pulumi.yaml", () => {
  it("asks for a CLI that skips a replaced cluster's objects (deletedWith on replace: pulumi#23818, v3.260.0)", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    assert.equal(project.requiredPulumiVersion, ">=3.260.0");
  });
});
