// The first SSH step: waits for cloud-init, bounded, and reports the host's first-boot stages.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { parseTimings, renderStep } from "../../lib/core/steps";
import { makeSandbox, type Sandbox } from "../support/sandbox";
import { missingTool, skipIfMissing } from "../conformance/support/environment";

const script = renderStep("wait-for-host", {});

describe("wait-for-host (sandbox)", () => {
  let box: Sandbox;
  before(function () {
    skipIfMissing(this, missingTool("jq", "jq"));
  });
  beforeEach(() => {
    box = makeSandbox();
    const now = Math.floor(Date.now() / 1000);
    // Booted 300 s ago (uptime), cloud-init started 12 s after boot and finished at 190 s.
    fs.writeFileSync(`${box.root}/proc/uptime`, "300.40 500.00\n");
    fs.mkdirSync(`${box.root}/run/cloud-init`, { recursive: true });
    fs.writeFileSync(`${box.root}/run/cloud-init/status.json`, JSON.stringify({ v1: { "init-local": { start: now - 300 + 12.7, finished: now - 280 }, init: { start: now - 279 } } }));
    fs.mkdirSync(`${box.root}/var/lib/cloud/instance`, { recursive: true });
    fs.writeFileSync(`${box.root}/var/lib/cloud/instance/boot-finished`, "");
    fs.utimesSync(`${box.root}/var/lib/cloud/instance/boot-finished`, now - 110, now - 110);
    fs.mkdirSync(`${box.root}/var/lib/calico-ipam`, { recursive: true });
    fs.writeFileSync(`${box.root}/var/lib/calico-ipam/timings`, "installStartSeconds 41\ntoolsInstalledSeconds 170\n");
  });
  afterEach(() => box.cleanup());

  it("reports each first-boot stage in seconds since boot", () => {
    const run = box.run(script);
    assert.equal(run.status, 0, run.stderr);
    const timings = parseTimings(run.stdout);
    // Clock reads straddle a second at most.
    assert.ok(Math.abs(timings.cloudInitStartSeconds - 12) <= 1, run.stdout);
    assert.ok(Math.abs(timings.hostReadySeconds - 190) <= 1, run.stdout);
    assert.equal(timings.installStartSeconds, 41);
    assert.equal(timings.toolsInstalledSeconds, 170);
  });

  it("takes cloud-init's 'done with recoverable warnings' (exit 2) as done", () => {
    box.setState("cloud-init-exit", "2");
    assert.equal(box.run(script).status, 0);
  });

  it("fails on a cloud-init error, showing the end of its log", () => {
    box.setState("cloud-init-exit", "1");
    fs.mkdirSync(`${box.root}/var/log`, { recursive: true });
    fs.writeFileSync(`${box.root}/var/log/cloud-init-output.log`, "calico-ipam: install-tools: kind-linux-amd64 does not match its published sha256\n");
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /calico-ipam: wait-for-host: cloud-init failed on the host \(exit 1\); the end of its log:\ncalico-ipam: install-tools: kind-linux-amd64 does not match/);
  });

  it("fails naming a tool cloud-init did not leave", () => {
    box.removeFake("calicoctl");
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /cloud-init finished but calicoctl is missing/);
  });
});
