// The one address parser's cases that its merge added: containment of one address, networks from the
// config and from cluster data compared by the same functions, and prefix lengths as Go's dtoi reads them.
// The rest of its behaviour is guarded where each stage uses it (test/ipam/plan.spec.ts "CIDR parsing",
// test/config, test/ipam).
import * as assert from "node:assert/strict";
import { cidrContains, cidrsOverlap, parseAddress, parseCidr, parseGoIp, parseNetwork, type Address, type Cidr, type Network } from "../../lib/core/cidr";

const config = (text: string): Cidr => {
  const r = parseCidr(text);
  assert.ok(r.ok, text);
  return r.cidr;
};
const cluster = (text: string): Network => parseNetwork(text) as Network;
const address = (text: string): Address => parseAddress(text) as Address;

describe("one address parser", () => {
  it("holds an address in a network up to its last address, and never across families", () => {
    const block = cluster("192.168.10.64/26");
    assert.equal(cidrContains(block, address("192.168.10.64")), true);
    assert.equal(cidrContains(block, address("192.168.10.127")), true);
    assert.equal(cidrContains(block, address("192.168.10.128")), false);
    assert.equal(cidrContains(block, address("192.168.10.63")), false);
    assert.equal(cidrContains(cluster("fd00:10::/122"), address("fd00:10::3f")), true);
    // An IPv4-mapped address is IPv6 to parseAddress; parseGoIp folds it to IPv4, as Go prints it.
    assert.equal(cidrContains(block, address("::ffff:192.168.10.70")), false);
    assert.equal(cidrContains(block, parseGoIp("::ffff:192.168.10.70") as Address), true);
    assert.equal(cidrContains(config("0.0.0.0/0"), address("::1")), false);
  });

  it("reads an address as Go prints it after net.ParseIP: IPv4-mapped IPv6 as IPv4 (net.IP.To4), the rest as parseAddress", () => {
    assert.deepEqual(parseGoIp("::ffff:10.0.0.5"), { family: "IPv4", value: 0x0a000005n, text: "10.0.0.5" });
    assert.deepEqual(parseGoIp("::FFFF:0a00:0005"), { family: "IPv4", value: 0x0a000005n, text: "10.0.0.5" });
    assert.deepEqual(parseGoIp("10.0.0.5"), parseAddress("10.0.0.5"));
    assert.equal(parseGoIp("::fffe:10.0.0.5")?.family, "IPv6");
    assert.equal(parseGoIp("fd00::ffff:a00:5")?.family, "IPv6");
    assert.equal(parseGoIp("garbage"), undefined);
  });

  it("compares a network from the config with one from cluster data", () => {
    const pool = config("192.168.0.0/16");
    assert.equal(cidrContains(pool, cluster("192.168.200.0/26")), true);
    assert.equal(cidrContains(cluster("192.168.200.0/26"), pool), false);
    assert.equal(cidrsOverlap(cluster("192.168.200.0/26"), pool), true);
    assert.equal(cidrsOverlap(pool, cluster("192.169.0.0/26")), false);
    assert.equal(cidrContains(config("fd00::/48"), cluster("fd00:0:0:1::40/122")), true);
  });

  it("reads a prefix length with leading zeros as Go's net.ParseCIDR does; the config still asks for it written plainly", () => {
    assert.equal(cluster("10.0.0.0/0008").text, "10.0.0.0/8");
    assert.equal(cluster("fd00::/0064").text, "fd00::/64");
    assert.equal(parseNetwork("10.0.0.0/0033"), undefined);
    assert.deepEqual(parseCidr("10.0.0.0/0008"), { ok: false, problem: "is not written canonically", suggestion: "10.0.0.0/8" });
  });
});
