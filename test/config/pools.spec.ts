// `ipFamily` and `pools`: every problem at once, each naming the key path a user types with
// `pulumi config set --path`, the bad value and what would be accepted.
import * as assert from "node:assert/strict";
import { parseLabConfig, RawConfig } from "../../lib/config";
import { onlyProblem, problemsOf } from "./problems";

const pools = (...entries: object[]): string => JSON.stringify(entries);
const TWO_POOLS = pools(
  { name: "main", cidr: "192.168.0.0/18", nodeSelector: "rack != 'a'" },
  { name: "rack-a", cidr: "192.168.64.0/24", blockSize: 28, nodeSelector: "rack == 'a'", encapsulation: "VXLAN" },
);

describe("config: ipFamily and pools", () => {
  it("turns the single-pool keys into the one pool the operator would name", () => {
    const c = parseLabConfig({ podCidr: "10.244.0.0/16", blockSize: "24", encapsulation: "IPIP", natOutgoing: "Disabled" });
    assert.deepEqual(c.pools, [{
      name: "default-ipv4-ippool", cidr: "10.244.0.0/16", blockSize: 24, encapsulation: "IPIP", natOutgoing: "Disabled",
      nodeSelector: "all()", disableNewAllocations: false, assignmentMode: "Automatic",
    }]);
  });

  it("reads several pools, with the operator's defaults for what is left out", () => {
    const c = parseLabConfig({ pools: TWO_POOLS });
    assert.deepEqual(c.pools, [
      { name: "main", cidr: "192.168.0.0/18", blockSize: 26, encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled", nodeSelector: "rack != 'a'", disableNewAllocations: false, assignmentMode: "Automatic" },
      { name: "rack-a", cidr: "192.168.64.0/24", blockSize: 28, encapsulation: "VXLAN", natOutgoing: "Enabled", nodeSelector: "rack == 'a'", disableNewAllocations: false, assignmentMode: "Automatic" },
    ]);
    assert.equal(c.podCidr, "192.168.0.0/16", "podCidr stays the cluster's pod range, holding every pool");
  });

  it("takes numbers and booleans as `pulumi config set --path` stores them (strings)", () => {
    const c = parseLabConfig({ pools: pools({ name: "a", cidr: "192.168.0.0/24", blockSize: "28" }, { name: "b", cidr: "192.168.1.0/24", disableNewAllocations: "true" }) });
    assert.equal(c.pools[0].blockSize, 28);
    assert.equal(c.pools[1].disableNewAllocations, true);
  });

  it("gives a dual-stack lab kind's IPv6 ranges and a default IPv6 pool", () => {
    const c = parseLabConfig({ ipFamily: "dual" });
    assert.equal(c.podCidrV6, "fd00:10:244::/56");
    assert.equal(c.serviceCidrV6, "fd00:10:96::/112");
    assert.deepEqual(c.pools.map((p) => [p.name, p.cidr, p.blockSize, p.encapsulation, p.natOutgoing]), [
      ["default-ipv4-ippool", "192.168.0.0/16", 26, "VXLANCrossSubnet", "Enabled"],
      ["default-ipv6-ippool", "fd00:10:244::/56", 122, "None", "Disabled"],
    ]);
  });

  it("accepts IPv6 pools inside the IPv6 pod range, with VXLAN but not IPIP", () => {
    const c = parseLabConfig({ ipFamily: "dual", pools: pools({ name: "v4", cidr: "192.168.0.0/16" }, { name: "v6", cidr: "fd00:10:244:1::/64", blockSize: 120, encapsulation: "VXLAN" }) });
    assert.deepEqual(c.pools.map((p) => p.cidr), ["192.168.0.0/16", "fd00:10:244:1::/64"]);
    onlyProblem({ ipFamily: "dual", pools: pools({ name: "v4", cidr: "192.168.0.0/16" }, { name: "v6", cidr: "fd00:10:244:1::/64", encapsulation: "IPIP" }) },
      "calico-ipam:pools[1].encapsulation", "IPIP carries only IPv4", "None, VXLAN, VXLANCrossSubnet");
  });

  it("says what is wrong with a pool's cidr without a doubled \"is\"", () => {
    assert.equal(
      onlyProblem({ pools: pools({ name: "a", cidr: "192.168.0.0/0016" }) }, "calico-ipam:pools[0].cidr"),
      'calico-ipam:pools[0].cidr is "192.168.0.0/0016": not written canonically; did you mean "192.168.0.0/16"?',
    );
    assert.match(
      onlyProblem({ pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "v6", cidr: "fd00:10:244::/64" }) }, "calico-ipam:pools[1].cidr"),
      /^calico-ipam:pools\[1\]\.cidr is "fd00:10:244::\/64": an IPv6 pool, but /,
    );
  });

  const CASES: [string, RawConfig, string, ...string[]][] = [
    ["ipFamily ipv6", { ipFamily: "ipv6" }, "calico-ipam:ipFamily", "not supported", "use \"dual\""],
    ["ipFamily misspelt", { ipFamily: "Dual" }, "calico-ipam:ipFamily", "ipv4, dual", 'did you mean "dual"?'],
    ["ipFamily dual on an existing cluster", { ipFamily: "dual", target: "existing", kubeconfigPath: "/k" }, "calico-ipam:ipFamily", 'calico-ipam:target is "existing"'],
    ["pools not JSON", { pools: "[{name: a}]" }, "calico-ipam:pools", "not JSON", "a list of pools such as"],
    ["pools empty", { pools: "[]" }, "calico-ipam:pools", "non-empty list", "remove the key"],
    ["a pool without a name", { pools: pools({ cidr: "192.168.0.0/24" }) }, "calico-ipam:pools[0]", "no name", '"rack-a"'],
    ["a pool with a bad name", { pools: pools({ name: "Rack_A", cidr: "192.168.0.0/24" }) }, "calico-ipam:pools[0].name", '"Rack_A"', "lowercase"],
    ["a pool with a misspelt field", { pools: pools({ name: "a", cidr: "192.168.0.0/24", blocksize: 28 }) }, "calico-ipam:pools[0]", '"blocksize"', "did you mean blockSize?"],
    ["a pool cidr with host bits", { pools: pools({ name: "a", cidr: "192.168.1.0/16" }) }, "calico-ipam:pools[0].cidr", '"192.168.1.0/16"', 'did you mean "192.168.0.0/16"?'],
    ["a block size outside 20-32", { pools: pools({ name: "a", cidr: "192.168.0.0/16", blockSize: 33 }) }, "calico-ipam:pools[0].blockSize", "33", "20 to 32"],
    ["a block larger than its pool", { pools: pools({ name: "a", cidr: "192.168.0.0/24", blockSize: 22 }) }, "calico-ipam:pools[0].blockSize", "larger than the pool", "24 to 32"],
    ["an IPv6 block size outside 116-128", { ipFamily: "dual", pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "b", cidr: "fd00:10:244::/64", blockSize: 112 }) }, "calico-ipam:pools[1].blockSize", "116 to 128"],
    ["an IPv6 pool in an IPv4 lab", { pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "v6", cidr: "fd00:10:244::/64" }) }, "calico-ipam:pools[1].cidr", "IPv6 pool", 'calico-ipam:ipFamily is "ipv4"', '"dual"'],
    ["an encapsulation off the enum", { pools: pools({ name: "a", cidr: "192.168.0.0/16", encapsulation: "vxlan" }) }, "calico-ipam:pools[0].encapsulation", 'did you mean "VXLAN"?'],
    ["an empty nodeSelector", { pools: pools({ name: "a", cidr: "192.168.0.0/16", nodeSelector: "" }) }, "calico-ipam:pools[0].nodeSelector", "must not be empty", '"all()"'],
    ["a kubectl-style nodeSelector", { pools: pools({ name: "a", cidr: "192.168.0.0/16", nodeSelector: "rack=a" }) }, "calico-ipam:pools[0].nodeSelector", "=="],
    ["an assignmentMode off the enum", { pools: pools({ name: "a", cidr: "192.168.0.0/16", assignmentMode: "auto" }) }, "calico-ipam:pools[0].assignmentMode", "Automatic, Manual"],
    ["duplicate pool names", { pools: pools({ name: "a", cidr: "192.168.0.0/24" }, { name: "a", cidr: "192.168.1.0/24" }) }, "calico-ipam:pools entry \"a\" (192.168.1.0/24)", "same name", "unique"],
    ["overlapping pools", { pools: pools({ name: "a", cidr: "192.168.0.0/17" }, { name: "b", cidr: "192.168.64.0/18" }) }, "calico-ipam:pools entry \"b\"", "overlaps", "\"a\" (192.168.0.0/17)"],
    ["a pool outside podCidr, on the service range", { pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "b", cidr: "10.96.0.0/20" }) }, "calico-ipam:pools entry \"b\" (10.96.0.0/20)", "outside calico-ipam:podCidr 192.168.0.0/16", "refuses", "calico-ipam:serviceCidr 10.96.0.0/16"],
    ["a pool outside podCidr, on the VPC", { pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "b", cidr: "10.0.1.0/24" }) }, "calico-ipam:pools entry \"b\"", "calico-ipam:vpcCidr 10.0.0.0/16"],
    ["a pool outside podCidr, on kind's network", { pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "b", cidr: "172.18.0.0/24" }) }, "calico-ipam:pools entry \"b\"", "172.18.0.0/16, the docker network kind"],
    ["an IPv6 pool outside kind's IPv6 pod range", { ipFamily: "dual", pools: pools({ name: "a", cidr: "192.168.0.0/16" }, { name: "b", cidr: "fd00:10:96::/112" }) }, "calico-ipam:pools entry \"b\"", "outside fd00:10:244::/56"],
    ["dual-stack pools without an IPv6 pool", { ipFamily: "dual", pools: pools({ name: "a", cidr: "192.168.0.0/16" }) }, "calico-ipam:ipFamily", "no IPv6 pool", "fd00:10:244::/56"],
    ["every IPv4 pool disabled", { pools: pools({ name: "a", cidr: "192.168.0.0/16", disableNewAllocations: true }) }, "calico-ipam:pools", "no IPv4 pool hands out addresses"],
    ["a single-pool key beside pools", { blockSize: "24", pools: TWO_POOLS }, "calico-ipam:blockSize", "calico-ipam:pools", "drop calico-ipam:blockSize"],
  ];
  for (const [name, raw, start, ...fragments] of CASES) {
    it(`reports ${name}`, () => onlyProblem(raw, start, ...fragments));
  }

  it("lists every pool problem at once, with the other keys' problems", () => {
    const problems = problemsOf({ workers: "0", pools: pools({ name: "a", cidr: "192.168.0.0/33", blockSize: 40 }, { cidr: "10.0.0.0/8" }) });
    assert.deepEqual(problems.map((p) => p.split(" ")[0]), ["calico-ipam:workers", "calico-ipam:pools[0].cidr", "calico-ipam:pools[0].blockSize", "calico-ipam:pools[1]"]);
  });
});
