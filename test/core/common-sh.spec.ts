// Issue 11 item 5: pulumi-command v1.2.1 bounds only the SSH dial (remote/commandOutputs.go runs
// session.Run without the context), so a hung tool would hold `pulumi up` forever. Every step bounds
// its own calls: the helper is tested with real bash and a hanging fake, and every long call in every
// step is checked to go through it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderStep } from "../../lib/core/steps";
import { makeSandbox, preludeOf, type Sandbox } from "../support/sandbox";

const prelude = preludeOf(renderStep("deploy-cluster", {}));
const SCRIPTS = path.join(__dirname, "..", "..", "manifests", "scripts");

describe("common.sh: bounded calls", () => {
  let box: Sandbox;
  beforeEach(() => {
    box = makeSandbox();
    box.setState("containerlab-hangs");
  });
  afterEach(() => box.cleanup());

  it("ends a hung tool at its bound and says which step, what and the bound", () => {
    const started = Date.now();
    const run = box.run(`${prelude}bounded 1 "containerlab deploy" as_root containerlab deploy --topo lab.clab.yaml\n`);
    assert.equal(run.status, 124);
    assert.equal(run.stderr, "calico-ipam: deploy-cluster: containerlab deploy did not finish within 1s\n");
    assert.ok(Date.now() - started < 10_000, "and it really ended");
  });

  it("bounds the command as root through sudo for an ordinary user", () => {
    box.pretendNotRoot();
    const run = box.run(`${prelude}bounded 1 "containerlab deploy" as_root containerlab deploy\n`);
    assert.equal(run.status, 124);
    assert.ok(box.calls().includes("sudo -n timeout --kill-after=15 1 containerlab deploy"), box.calls().join("\n"));
  });

  it("passes the tool's own exit status and output through, with no word of a timeout", () => {
    const run = box.run(`${prelude}bounded 5 "a tool" sh -c 'echo out; echo err >&2; exit 3' || echo "status $?"\n`);
    assert.equal(run.stdout, "out\nstatus 3\n");
    assert.equal(run.stderr, "err\n");
  });

  it("wait_until gives up after its bound, naming what it waited for", () => {
    const run = box.run(`${prelude}wait_until 10 "the Docker daemon" false\n`);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, "calico-ipam: deploy-cluster: gave up waiting for the Docker daemon after 10s\n");
    assert.equal(box.calls().filter((c) => c === "sleep 2").length, 5);
  });
});

/** Tools that can hang on a network, a daemon or a lock, in command position (first on a line, after | & ; ( or $(, or after as_root). */
const LONG = /(^\s*|[|&;(]\s*|\bas_root\s+)(apt-get|containerlab|kind|cloud-init|curl|systemctl|systemd-run|docker (pull|run|exec|network))\s/;

/**
 * Calls of those tools not bounded: a call counts as bounded when its line (or the line it continues)
 * runs it through `bounded` or `timeout`, or gives curl its own --max-time.
 */
function unboundedCalls(text: string, file: string): string[] {
  const lines = text.split("\n");
  return lines.flatMap((line, i) => {
    // Code only: no comment, no quoted text (messages name the tools too).
    const code = line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""').replace(/#.*$/, "");
    if (!LONG.test(code)) return [];
    const statement = (lines[i - 1]?.trimEnd().endsWith("\\") ? lines[i - 1] : "") + code;
    return /\b(bounded|timeout)\s|--max-time\s/.test(statement) ? [] : [`${file}:${i + 1}: ${line.trim()}`];
  });
}

describe("every long call in every step is bounded", () => {
  for (const file of fs.readdirSync(SCRIPTS).filter((f) => f.endsWith(".sh"))) {
    it(file, () => {
      assert.deepEqual(unboundedCalls(fs.readFileSync(path.join(SCRIPTS, file), "utf8"), file), []);
    });
  }

  it("the check itself flags an unbounded call, and not a bounded one or a message", () => {
    const text = [
      'as_root containerlab deploy --topo "$T"',
      'bounded 60 "kind get kubeconfig" as_root kind get kubeconfig',
      'echo "kind could not list its clusters" >&2',
      "clusters=$(kind get clusters)",
      'bounded 600 "a download" \\',
      "  curl -fsSL -o f https://x",
    ].join("\n");
    assert.deepEqual(unboundedCalls(text, "t.sh"), ['t.sh:1: as_root containerlab deploy --topo "$T"', "t.sh:4: clusters=$(kind get clusters)"]);
  });
});
