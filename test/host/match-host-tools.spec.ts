// The step that keeps the host's kubectl and calicoctl at the stack's kubernetesVersion and
// calicoVersion after a version change, run with real bash in a sandbox (fake curl and sudo; real
// sha256sum, awk and install). cloud-init installs both tools once; this step must leave them alone
// when they fit, and otherwise install only verified downloads.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { renderMatchHostTools, type StackToolVersions } from "../../lib/host/host-tools";
import { makeSandbox, type Sandbox } from "../support/sandbox";
import { downloads, VERSIONS } from "./host-fixture";

const FIRST: StackToolVersions = { kubernetesVersion: VERSIONS.kubernetesVersion, calicoVersion: VERSIONS.calicoVersion };
const sha256 = (content: string): string => createHash("sha256").update(content).digest("hex");
const TOOLS = ["kubectl", "calicoctl"] as const;

/** What each release's binary holds here: its tool and version, so versions differ byte for byte. */
function binary(tool: string, versions: StackToolVersions): string {
  return `${tool} ${tool === "kubectl" ? versions.kubernetesVersion : versions.calicoVersion}\n`;
}

/** Serves both tools' releases of these versions, with their publishers' checksum files. */
function serveReleases(box: Sandbox, versions: StackToolVersions): void {
  for (const d of downloads({ ...VERSIONS, ...versions }).filter((d) => (TOOLS as readonly string[]).includes(d.name))) {
    box.serve(d.url, binary(d.name, versions));
    box.serve(d.sumsUrl, d.sums(sha256(binary(d.name, versions))));
  }
}

/** The host as cloud-init left it: both tools of these versions in /usr/local/bin. */
function installed(box: Sandbox, versions: StackToolVersions): void {
  fs.mkdirSync(`${box.root}/usr/local/bin`, { recursive: true });
  for (const tool of TOOLS) fs.writeFileSync(`${box.root}/usr/local/bin/${tool}`, binary(tool, versions), { mode: 0o755 });
}

const binaryDownloads = (box: Sandbox): string[] =>
  box.calls().filter((c) => c.startsWith("curl ") && /\/(kubectl|calicoctl-linux-amd64)$/.test(c));

describe("match-host-tools (sandbox)", () => {
  let box: Sandbox;
  beforeEach(() => {
    box = makeSandbox();
    installed(box, FIRST);
  });
  afterEach(() => box.cleanup());

  it("leaves tools that already are the stack's versions alone, reading only the checksum files", () => {
    serveReleases(box, FIRST);
    const run = box.run(renderMatchHostTools(FIRST));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "calico-ipam: match-host-tools: kubectl is already v1.35.0\ncalico-ipam: match-host-tools: calicoctl is already v3.30.7\n");
    assert.deepEqual(binaryDownloads(box), []);
    for (const tool of TOOLS) assert.equal(box.read(`usr/local/bin/${tool}`), binary(tool, FIRST));
  });

  it("after a version change, installs the new verified tools as root, and only what changed", () => {
    const next = { ...FIRST, calicoVersion: "v3.30.6" };
    serveReleases(box, next);
    box.pretendNotRoot();
    const run = box.run(renderMatchHostTools(next));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /kubectl is already v1\.35\.0\n/);
    assert.match(run.stdout, /installed calicoctl v3\.30\.6\n$/);
    assert.equal(box.read("usr/local/bin/calicoctl"), "calicoctl v3.30.6\n");
    assert.equal(fs.statSync(`${box.root}/usr/local/bin/calicoctl`).mode & 0o777, 0o755);
    assert.equal(box.read("usr/local/bin/kubectl"), binary("kubectl", FIRST));
    assert.deepEqual(binaryDownloads(box).map((c) => c.split(" ").at(-1)), [
      "https://github.com/projectcalico/calico/releases/download/v3.30.6/calicoctl-linux-amd64",
    ]);
    assert.ok(box.calls().some((c) => /^sudo -n install -m 0755 \S+\/calicoctl \S+\/usr\/local\/bin\/calicoctl$/.test(c)), box.calls().join("\n"));
  });

  it("installs a tool that is not there at all", () => {
    fs.rmSync(`${box.root}/usr/local/bin/kubectl`);
    serveReleases(box, FIRST);
    const run = box.run(renderMatchHostTools(FIRST));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(box.read("usr/local/bin/kubectl"), binary("kubectl", FIRST));
  });

  it("installs nothing, and keeps the old tools, when a download does not match its published checksum", () => {
    const next = { kubernetesVersion: "v1.34.3", calicoVersion: "v3.30.6" };
    serveReleases(box, next);
    const calicoctl = downloads({ ...VERSIONS, ...next }).find((d) => d.name === "calicoctl")!;
    box.serve(calicoctl.url, "calicoctl v3.30.6, cut short");
    const run = box.run(renderMatchHostTools(next));
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /calico-ipam: match-host-tools: calicoctl-linux-amd64 does not match its published sha256 \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)/);
    assert.match(run.stderr, /1 download\(s\) failed \(see above\)/);
    for (const tool of TOOLS) assert.equal(box.read(`usr/local/bin/${tool}`), binary(tool, FIRST), tool);
  });

  it("stops, changing nothing, when the checksum files cannot be fetched", () => {
    serveReleases(box, FIRST);
    box.setState("network-down");
    const run = box.run(renderMatchHostTools({ ...FIRST, kubernetesVersion: "v1.34.3" }));
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /curl: \(6\) Could not resolve host: dl\.k8s\.io\/release\/v1\.34\.3\/bin\/linux\/amd64\/kubectl\.sha256/);
    for (const tool of TOOLS) assert.equal(box.read(`usr/local/bin/${tool}`), binary(tool, FIRST), tool);
  });
});
