// The real local probe against fake `sudo`, `containerlab`, `kind` and `docker` in a sandbox: it must
// find the tools where the steps' as_root (common.sh) will, so a tool the steps cannot run stops the
// preview instead of failing `containerlab deploy` with "command not found" minutes in.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { renderStep } from "../../lib/core/steps";
import { localHostProbe } from "../../lib/host/local-host";
import { localPreflight, stoppedLabNodesProblem } from "../../lib/host/preflight";
import { makeSandbox, preludeOf, type Sandbox } from "../support/sandbox";

const prelude = preludeOf(renderStep("deploy-cluster", {}));

describe("the real local probe, run as the steps run the tools", () => {
  let box: Sandbox;
  let secure: string;

  /** sudo's secure_path: a folder holding `tools`, plus what any shell has (sh, bash, env, true). */
  function rootFinds(tools: string[]): void {
    for (const tool of tools) fs.symlinkSync(path.join(box.dir, "bin", tool), path.join(secure, tool));
  }

  beforeEach(() => {
    box = makeSandbox();
    box.pretendNotRoot();
    secure = path.join(box.dir, "secure");
    fs.mkdirSync(secure);
    for (const tool of ["sh", "bash", "env", "true", "cat"]) {
      const real = spawnSync("bash", ["-c", `type -P ${tool}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(real, path.join(secure, tool));
    }
    box.setState("sudo-secure-path", secure);
  });
  afterEach(() => box.cleanup());

  const asUser = () => localHostProbe({ uid: 1000, env: box.env() });

  it("stops a containerlab and kind only on the user's PATH, which the steps' sudo -n cannot find", () => {
    rootFinds(["docker"]);
    const step = box.run(`${prelude}as_root containerlab version\n`);
    assert.equal(step.status, 127, "the step itself fails: command not found");

    const message = localPreflight(asUser())!;
    const mine = path.join(box.dir, "bin");
    assert.match(message, new RegExp(`- containerlab: ${mine}/containerlab is on your PATH but not on root's`));
    assert.match(message, new RegExp(`- kind: ${mine}/kind is on your PATH but not on root's`));
    assert.doesNotMatch(message, /- (docker|kubectl):/);
  });

  it("passes when root finds every tool, and reads the version of the containerlab root runs", () => {
    rootFinds(["docker", "containerlab", "kind"]);
    assert.equal(box.run(`${prelude}as_root containerlab version\n`).status, 0);
    assert.equal(localPreflight(asUser()), undefined);
    assert.ok(box.calls().includes("sudo -n env CLAB_VERSION_CHECK=disable containerlab version"), box.calls().join("\n"));
  });

  it("refuses the containerlab root runs when it is too old", () => {
    rootFinds(["docker", "containerlab", "kind"]);
    box.setState("containerlab-version", "0.72.0");
    assert.match(localPreflight(asUser())!, /- containerlab: version 0\.72\.0 embeds a kind older than v0\.31\.0/);
  });

  it("asks docker as root: a user outside the docker group is no problem when sudo works", () => {
    rootFinds(["containerlab", "kind", "docker"]);
    assert.equal(asUser().dockerAnswers(), true);
    assert.ok(box.calls().includes("sudo -n docker info"), box.calls().join("\n"));
    box.setState("docker-down");
    assert.match(localPreflight(asUser())!, /docker is installed but the daemon does not answer/);
  });

  it("lists the lab's kind nodes and their state as root sees them, so a stopped lab is told apart from a new one", () => {
    rootFinds(["containerlab", "kind", "docker"]);
    assert.deepEqual(asUser().kindNodes!("calico-ipam"), []);
    box.setState("docker-ps", "calico-ipam-control-plane exited\ncalico-ipam-worker running\n");
    assert.deepEqual(asUser().kindNodes!("calico-ipam"), [
      { name: "calico-ipam-control-plane", state: "exited" },
      { name: "calico-ipam-worker", state: "running" },
    ]);
    assert.ok(box.calls().includes("sudo -n docker ps -a --filter label=io.x-k8s.kind.cluster=calico-ipam --format {{.Names}} {{.State}}"), box.calls().join("\n"));
    assert.match(stoppedLabNodesProblem(asUser(), "calico-ipam")!, /calico-ipam-control-plane: exited\)/);
  });

  it("says docker start for stopped nodes and docker unpause for paused ones (Docker will not start a paused container)", () => {
    const probe = (nodes: { name: string; state: string }[]) => ({ ...asUser(), kindNodes: () => nodes });
    const cp = "calico-ipam-control-plane";
    const worker = "calico-ipam-worker";
    assert.equal(stoppedLabNodesProblem(probe([{ name: cp, state: "running" }, { name: worker, state: "restarting" }]), "calico-ipam"), undefined);
    assert.match(stoppedLabNodesProblem(probe([{ name: cp, state: "exited" }, { name: worker, state: "exited" }]), "calico-ipam")!,
      /run npm run up again: sudo docker start calico-ipam-control-plane calico-ipam-worker\. /);
    const paused = stoppedLabNodesProblem(probe([{ name: cp, state: "paused" }, { name: worker, state: "paused" }]), "calico-ipam")!;
    assert.match(paused, /run npm run up again: sudo docker unpause calico-ipam-control-plane calico-ipam-worker\. /);
    assert.match(stoppedLabNodesProblem(probe([{ name: cp, state: "paused" }, { name: worker, state: "exited" }]), "calico-ipam")!,
      /run npm run up again: sudo docker unpause calico-ipam-control-plane && sudo docker start calico-ipam-control-plane calico-ipam-worker\. /);
  });

  it("without passwordless sudo, says so as the steps would fail", () => {
    box.setState("sudo-refuses");
    const step = box.run(`${prelude}as_root containerlab version\n`);
    assert.match(step.stderr, /'containerlab' needs root: run as root or give this user passwordless sudo/);
    assert.match(localPreflight(asUser())!, /- root: the steps run containerlab, kind and docker as root/);
  });

  it("does not count a password sudo remembered from a moment ago: it expires before npm run destroy needs it", () => {
    rootFinds(["docker", "containerlab", "kind"]);
    box.setState("sudo-password-cached");
    // Right now the step would get through on the cached password...
    assert.equal(box.run(`${prelude}as_root containerlab version\n`).status, 0);
    // ...but a destroy an hour later would not, so the preview says what the lab needs.
    assert.equal(asUser().canRunAsRoot(), false);
    assert.match(localPreflight(asUser())!, /- root: .*passwordless sudo \(sudo -n -k true must succeed/);
    assert.ok(box.calls().includes("sudo -n -k true"), box.calls().join("\n"));
  });

  it("as root, looks on root's own PATH, as as_root runs the tools directly", () => {
    box.setState("sudo-refuses");
    assert.equal(localPreflight(localHostProbe({ uid: 0, env: box.env() })), undefined);
    assert.ok(!box.calls().some((call) => call.startsWith("sudo")), box.calls().join("\n"));
  });
});
