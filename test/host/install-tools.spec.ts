// Issue 10: the install script cloud-init runs, executed with real bash in a sandbox (fake apt,
// curl, docker...; real grep, awk, sha256sum, timeout). What a user's first `pulumi up` depends on:
// pinned packages, verified downloads, apt's first-boot locks, the network coming up late, and no
// pipeline that SIGPIPE can break.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { renderInstallScript } from "../../lib/host/cloud-init";
import { DOCKER_PACKAGES } from "../../lib/core/versions";
import { functionFrom, makeSandbox, preludeOf, type Sandbox } from "../support/sandbox";
import { downloads, provisionHost, VERSIONS } from "./host-fixture";

const script = renderInstallScript(VERSIONS);

describe("install-tools on a fresh host (sandbox)", () => {
  let box: Sandbox;
  beforeEach(() => {
    box = makeSandbox();
    provisionHost(box);
  });
  afterEach(() => box.cleanup());

  describe("when everything answers", () => {
    let ok: Sandbox;
    let calls: string[];
    before(() => {
      ok = makeSandbox();
      provisionHost(ok);
      const run = ok.run(script);
      assert.equal(run.status, 0, run.stderr);
      calls = ok.calls();
    });
    after(() => ok.cleanup());

    it("installs Docker at the pinned versions, without Recommends, and every tool verified", () => {
      assert.ok(
        calls.includes(
          `apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends docker-ce=${DOCKER_PACKAGES.dockerCe} ` +
            `docker-ce-cli=${DOCKER_PACKAGES.dockerCe} containerd.io=${DOCKER_PACKAGES.containerdIo} jq`,
        ),
        calls.join("\n"),
      );
      assert.ok(ok.calls().some((c) => /^gpg --show-keys --with-colons \S+\/docker\.asc$/.test(c)), "the key's fingerprint is checked");
      assert.equal(ok.read("etc/apt/keyrings/docker.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
      assert.equal(
        ok.read("etc/apt/sources.list.d/docker.list"),
        "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu noble stable\n",
      );
      for (const tool of ["kind", "kubectl", "calicoctl"]) {
        assert.equal(ok.read(`usr/local/bin/${tool}`), `${tool} binary\n`);
        assert.equal(fs.statSync(`${ok.root}/usr/local/bin/${tool}`).mode & 0o777, 0o755);
      }
      assert.ok(calls.some((c) => /^apt-get .* install -y -q \S+\/containerlab_0\.79\.0_linux_amd64\.deb$/.test(c)), "the verified containerlab .deb");
      assert.ok(calls.includes("usermod -aG docker ubuntu"));
    });

    it("holds Ubuntu's first-boot apt jobs off before touching apt", () => {
      const mask = calls.indexOf("systemctl mask --runtime --now apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service");
      assert.ok(mask >= 0 && mask < calls.findIndex((c) => c.startsWith("apt-get")), calls.join("\n"));
    });

    it("starts the image pre-pull once Docker answers, before the tools are installed", () => {
      const dockerInfo = calls.indexOf("docker info");
      const prepull = calls.indexOf("systemd-run --unit=calico-ipam-prepull --collect --no-block /usr/local/sbin/calico-ipam-prepull-images");
      assert.ok(dockerInfo >= 0 && prepull > dockerInfo, calls.join("\n"));
      assert.ok(prepull < calls.findIndex((c) => c.includes("containerlab_0.79.0_linux_amd64.deb") && c.startsWith("apt-get")));
    });

    it("retries every download on any error, DNS and refused connections included", () => {
      const fetches = calls.filter((c) => c.startsWith("curl -fsSL"));
      assert.equal(fetches.length, 9, "4 tools, 4 checksum files, Docker's key");
      for (const c of fetches) assert.match(c, /--retry 5 .*--retry-all-errors/);
    });

    it("records when the install started and when the tools were in place (seconds since boot)", () => {
      assert.equal(ok.read("var/lib/calico-ipam/timings"), "installStartSeconds 73\ntoolsInstalledSeconds 73\n");
    });
  });

  it("downloads the tools while apt installs Docker, not after", () => {
    // Docker's install is held until the last tool download has started: done one after the other,
    // the install would wait its 5 s out and the download would come after it.
    const last = downloads().at(-1)!;
    box.setState("apt-install-waits-for", last.url);
    assert.equal(box.run(script).status, 0);
    const calls = box.calls();
    const dockerInstall = calls.findIndex((c) => c.includes("--no-install-recommends docker-ce="));
    for (const d of downloads()) {
      const at = calls.findIndex((c) => c.startsWith("curl -fsSL") && c.endsWith(` ${d.url}`));
      assert.ok(at >= 0 && at < dockerInstall, `${d.name} download started before Docker's install:\n${calls.join("\n")}`);
    }
  });

  for (const d of downloads()) {
    it(`stops, installing nothing, when the ${d.name} download does not match its published checksum`, () => {
      box.serve(d.url, `${d.name} binary, tampered\n`);
      const run = box.run(script);
      assert.notEqual(run.status, 0);
      const file = d.url.split("/").pop();
      assert.match(run.stderr, new RegExp(`calico-ipam: install-tools: ${file} does not match its published sha256 \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\)`));
      assert.match(run.stderr, /1 download\(s\) failed \(see above\); the install stops here/);
      assert.equal(box.read("var/lib/calico-ipam/timings"), "installStartSeconds 73\n", "never reports the tools installed");
      for (const tool of ["kind", "kubectl", "calicoctl"]) assert.equal(box.read(`usr/local/bin/${tool}`), undefined);
    });
  }

  it("stops when a checksum file does not list the download", () => {
    const calicoctl = downloads().find((d) => d.name === "calicoctl")!;
    box.serve(calicoctl.sumsUrl, `${"1".repeat(64)}  calicoctl-darwin-amd64\n`);
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /calicoctl-linux-amd64 is not listed in its publisher's checksum file; not installing it/);
  });

  it("stops when a download is gone, naming it", () => {
    const kind = downloads().find((d) => d.name === "kind")!;
    fs.rmSync(`${box.dir}/web/${kind.url.replace("https://", "")}`);
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /curl: \(22\)/);
    assert.match(run.stderr, /1 download\(s\) failed/);
  });

  it("trusts Docker's repository only under Docker's own signing key", () => {
    box.setState("gpg-fingerprint", "0123456789ABCDEF0123456789ABCDEF01234567");
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /the key at download.docker.com is not Docker's \(fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88\); not trusting it/);
    assert.equal(box.read("etc/apt/keyrings/docker.asc"), undefined);
    assert.ok(!box.calls().some((c) => c.startsWith("apt-get")), "apt never sees the key");
  });

  it("says which pinned package Docker's repository lacks, and what it offers", () => {
    box.setState("madison-containerd.io", " containerd.io | 2.2.1-1~ubuntu.24.04~noble | https://download.docker.com/linux/ubuntu noble/stable amd64 Packages\n");
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, new RegExp(`containerd.io ${DOCKER_PACKAGES.containerdIo.replace(/[.~]/g, "\\$&")} is not in Docker's repository for noble; it offers:\\n containerd.io \\| 2\\.2\\.1-1`));
    assert.ok(!box.calls().some((c) => c.includes("install -y -q --no-install-recommends")), "nothing installed");
  });

  it("waits out apt's lists lock held by a first-boot apt run, then installs", () => {
    box.setState("apt-lists-locked", "3");
    const run = box.run(script);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(box.calls().filter((c) => c.endsWith(" update -q")).length, 4, "three locked tries, then one that works");
  });

  it("stops at once on an apt failure that is not the lock", () => {
    box.setState("apt-update-broken");
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /is not signed/);
    assert.match(run.stderr, /calico-ipam: install-tools: apt-get update failed \(exit 100\)/);
    assert.equal(box.calls().filter((c) => c.endsWith(" update -q")).length, 1);
  });

  it("waits for the network with a bound, and says what was missing when it passes", () => {
    box.setState("network-down");
    const run = box.run(script);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /calico-ipam: install-tools: gave up waiting for the network \(DNS and HTTPS to download.docker.com github.com dl.k8s.io\) after 300s/);
    assert.match(run.stderr, /last problem: DNS does not resolve download.docker.com/);
    assert.ok(!box.calls().some((c) => c.startsWith("apt-get")), "no apt before the network");
  });

  it("goes on once the network comes up within the bound", () => {
    box.setState("network-down");
    // The fake sleep lifts the outage after a few polls, as a late Elastic IP would.
    fs.writeFileSync(`${box.dir}/bin/sleep`, `#!/usr/bin/env bash\nn=$(grep -c '^sleep' "$SANDBOX/calls.log")\necho "sleep $*" >> "$SANDBOX/calls.log"\n[ "$n" -ge 3 ] && rm -f "$SANDBOX/state/network-down"\nexit 0\n`);
    const run = box.run(script);
    assert.equal(run.status, 0, run.stderr);
  });
});

describe("install-tools: the Docker version check under SIGPIPE (issue 10 item 1)", function () {
  this.timeout(60_000);
  let box: Sandbox;
  before(() => {
    box = makeSandbox();
    provisionHost(box);
  });
  after(() => box.cleanup());

  const RUNS = 300;
  const OLD_RUNS = 100;
  const loop = (body: string, runs = RUNS): string =>
    `failed=0\nfor i in $(seq ${runs}); do\n  ${body} || failed=$((failed + 1))\ndone\necho "failed $failed"\n`;

  it("the old pipeline, apt-cache madison | grep -q, fails under pipefail (reproduction)", () => {
    const run = box.run(`set -o pipefail\n${loop(`apt-cache madison docker-ce | grep -qF "${DOCKER_PACKAGES.dockerCe}"`, OLD_RUNS)}`);
    const failed = Number(/failed (\d+)/.exec(run.stdout)?.[1]);
    // apt-cache dies of SIGPIPE whenever grep leaves before it has written everything.
    assert.ok(failed > 0, `expected the old pipeline to fail at least once in ${OLD_RUNS} runs; it failed ${failed} times`);
  });

  it(`the script's own check passes ${RUNS} of ${RUNS} times, with the same fake apt-cache`, async () => {
    const harness = `${preludeOf(script)}codename=noble\n${functionFrom(script, "in_docker_repo")}\n${loop(
      `in_docker_repo docker-ce "${DOCKER_PACKAGES.dockerCe}"`,
      RUNS / 2,
    )}`;
    // Two at a time, one per core.
    const runs = await Promise.all([box.runAsync(harness), box.runAsync(harness)]);
    assert.deepEqual(runs.map((r) => r.stdout.trim()), ["failed 0", "failed 0"], runs.map((r) => r.stderr).join(""));
  });

  it("the whole rendered script passes 6 of 6 runs, each on a fresh host", async () => {
    const hosts = Array.from({ length: 6 }, () => {
      const host = makeSandbox();
      provisionHost(host);
      return host;
    });
    try {
      const runs = await Promise.all(hosts.map((host) => host.runAsync(script)));
      assert.deepEqual(runs.map((r) => r.status), Array(6).fill(0), runs.find((r) => r.status !== 0)?.stderr);
    } finally {
      for (const host of hosts) host.cleanup();
    }
  });
});
