// The local preflight of a dual-stack lab: IPv6 in the kernel, IPv6 forwarding, and kind's reuse of an
// IPv4-only `kind` Docker network (which fails late with "failed to get IPv6 address for node").
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localHostProbe } from "../../lib/host/local-host";
import { LocalIpv6Facts, localPreflight } from "../../lib/host/preflight";
import { readyLocalHost } from "./local-host-fixture";

const READY: LocalIpv6Facts = { kernelIpv6: true, forwarding: true, kindNetworkIpv6: true };
const probe = (facts: Partial<LocalIpv6Facts>) => readyLocalHost({ ipv6: () => ({ ...READY, ...facts }) });

describe("local preflight for ipFamily dual", () => {
  it("is quiet when IPv6 is ready, and when there is no kind network yet (kind creates it with IPv6)", () => {
    assert.equal(localPreflight(probe({}), "dual"), undefined);
    assert.equal(localPreflight(probe({ kindNetworkIpv6: undefined }), "dual"), undefined);
  });

  it("says how to fix an IPv4-only kind network, naming the error kind would give", () => {
    const message = localPreflight(probe({ kindNetworkIpv6: false }), "dual")!;
    assert.match(message, /Docker network "kind" exists without IPv6/);
    assert.match(message, /failed to get IPv6 address for node/);
    assert.match(message, /docker network rm kind/);
  });

  it("lists IPv6 disabled and forwarding off together", () => {
    const message = localPreflight(probe({ kernelIpv6: false, forwarding: false }), "dual")!;
    assert.match(message, /disable_ipv6 = 1.*calico-ipam:ipFamily/);
    assert.match(message, /sysctl -w net.ipv6.conf.all.forwarding=1/);
  });

  it("asks nothing about IPv6 for an IPv4 lab", () => {
    assert.equal(localPreflight(probe({ kernelIpv6: false, forwarding: false, kindNetworkIpv6: false }), "ipv4"), undefined);
  });
});

describe("the real probe's view of the kind network", () => {
  // As root, so the fake docker on PATH is the one asked (not one on sudo's secure_path).
  const realLocalHost = localHostProbe({ uid: 0 });
  let dir: string;
  let savedPath: string | undefined;

  /** A fake `docker` that answers `network inspect kind` as Docker does (or as if the network is missing). */
  function fakeDocker(script: string): void {
    fs.writeFileSync(path.join(dir, "docker"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-docker-"));
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads EnableIPv6 of the kind network", () => {
    fakeDocker('[ "$1 $2 $3" = "network inspect kind" ] && echo false');
    assert.equal(realLocalHost.ipv6!().kindNetworkIpv6, false);
    fakeDocker('[ "$1 $2 $3" = "network inspect kind" ] && echo true');
    assert.equal(realLocalHost.ipv6!().kindNetworkIpv6, true);
  });

  it("takes a missing network as none (Docker exits 1: no such network)", () => {
    fakeDocker('echo "Error response from daemon: network kind not found" >&2; exit 1');
    assert.equal(realLocalHost.ipv6!().kindNetworkIpv6, undefined);
  });
});
