// `npm run ipam` prints what calicoctl v3.30.7 prints, byte for byte. Each expected text below was
// worked out by hand from calicoctl's code (cited per case), not from ours:
//   show.go      calicoctl/calicoctl/commands/ipam/show.go (v3.30.7)
//   ipam.go      libcalico-go/lib/ipam/ipam.go (v3.30.7)
//   table.go     github.com/olekukonko/tablewriter v0.0.5 table.go (util.go, wrap.go)
import { strict as assert } from "node:assert";
import { checkSnapshot } from "../../lib/ipam/normalise";
import { lookupIp, renderBorrowed, renderConfiguration, renderUtilization } from "../../lib/ipam/show";
import { formatFixed0, formatG5, renderTable } from "../../lib/ipam/table";
import { block, fixtureSnapshot, LAB_POOL_TABLE, pool, snapshotOf } from "./fixture-state";

const show = (parts: Parameters<typeof snapshotOf>[0], showBlocks = false): string => renderUtilization(checkSnapshot(snapshotOf(parts)), showBlocks);
const lab = checkSnapshot(fixtureSnapshot());

describe("calicoctl ipam show, byte for byte", () => {
  it("prints a row per pool in list order; orphan blocks add nothing (show.go:202 `if ones > 0`)", () => {
    // 2/256 = 0.78% -> %.f "1"; 254/256 = 99.2% -> "99" (show.go:189). Numbers right-aligned by
    // table.go:752 (decimal pattern), "14 (0%)" left; headers centred by util.go Pad.
    assert.equal(renderUtilization(lab, false), LAB_POOL_TABLE);
  });

  it("--show-blocks: blocks under their pool in list order, orphans as plain Block rows at the end (ipam.go:2155)", () => {
    // 5/64 = 7.8% -> 8; 6/64 = 9.4% -> 9; 3/64 = 4.7% -> 5; 2/16 = 12.5% -> 12 (half to even); 1/64 -> 2.
    assert.equal(
      renderUtilization(lab, true),
      `+----------+------------------+-----------+------------+--------------+
| GROUPING |       CIDR       | IPS TOTAL | IPS IN USE |   IPS FREE   |
+----------+------------------+-----------+------------+--------------+
| IP Pool  | 192.168.0.0/16   |     65536 | 14 (0%)    | 65522 (100%) |
| Block    | 192.168.0.64/26  |        64 | 5 (8%)     | 59 (92%)     |
| Block    | 192.168.1.64/26  |        64 | 6 (9%)     | 58 (91%)     |
| Block    | 192.168.2.0/26   |        64 | 3 (5%)     | 61 (95%)     |
| Block    | 192.168.2.192/26 |        64 | 0 (0%)     | 64 (100%)    |
| IP Pool  | 10.48.0.0/24     |       256 | 2 (1%)     | 254 (99%)    |
| Block    | 10.48.0.16/28    |        16 | 2 (12%)    | 14 (88%)     |
| Block    | 10.99.0.0/26     |        64 | 1 (2%)     | 63 (98%)     |
+----------+------------------+-----------+------------+--------------+
`,
    );
  });

  it("keeps the API's name order: 10.244.0.128/26 before 10.244.0.64/26 (ipam.go:2163 lists, never sorts)", () => {
    const text = show({ ippools: [pool("p", "10.244.0.0/16", 26)], ipamblocks: [block("10.244.0.128/26", "a", 1), block("10.244.0.64/26", "b", 1)] }, true);
    assert.deepEqual(text.split("\n").filter((l) => l.startsWith("| Block")).map((l) => l.split("|")[2].trim()), ["10.244.0.128/26", "10.244.0.64/26"]);
  });

  it("never shows an IPv6 block outside every pool: the orphan group is 0.0.0.0/0 (ipam.go:2158)", () => {
    const text = show({ ippools: [pool("p", "10.0.0.0/16", 26)], ipamblocks: [block("fd00::/122", "a", 2)] }, true);
    assert.doesNotMatch(text, /fd00/);
    assert.equal(text.split("\n").filter((l) => l.startsWith("| ")).length, 2);
  });

  it("prints the header and the closing border for a cluster with no pools (table.go:124 Render)", () => {
    assert.equal(
      show({}),
      `+----------+------+-----------+------------+----------+
| GROUPING | CIDR | IPS TOTAL | IPS IN USE | IPS FREE |
+----------+------+-----------+------------+----------+
+----------+------+-----------+------------+----------+
`,
    );
  });

  it("prints no row for a /0 pool, but its blocks with --show-blocks (show.go:202)", () => {
    const text = show({ ippools: [pool("all", "0.0.0.0/0", 26)], ipamblocks: [block("10.0.0.0/26", "a", 3)] }, true);
    assert.equal(
      text,
      `+----------+-------------+-----------+------------+----------+
| GROUPING |    CIDR     | IPS TOTAL | IPS IN USE | IPS FREE |
+----------+-------------+-----------+------------+----------+
| Block    | 10.0.0.0/26 |        64 | 3 (5%)     | 61 (95%) |
+----------+-------------+-----------+------------+----------+
`,
    );
  });

  it("prints corrupt blocks as calicoctl does: negative in use, over 100% free, and Go's \"-0\"", () => {
    // 64 - 70 = -6: 100*-6/64 = -9.4 -> "-9"; free 70 -> 109.4 -> "109"; the pool: 100*-6/65536 = -0.009 -> "-0".
    const corrupt = block("10.0.0.0/26", "a", 0, 64, { unallocated: Array.from({ length: 70 }, (_, i) => i % 64) });
    assert.equal(
      show({ ippools: [pool("p", "10.0.0.0/16", 26)], ipamblocks: [corrupt] }, true),
      `+----------+-------------+-----------+------------+--------------+
| GROUPING |    CIDR     | IPS TOTAL | IPS IN USE |   IPS FREE   |
+----------+-------------+-----------+------------+--------------+
| IP Pool  | 10.0.0.0/16 |     65536 | -6 (-0%)   | 65542 (100%) |
| Block    | 10.0.0.0/26 |        64 | -6 (-9%)   | 70 (109%)    |
+----------+-------------+-----------+------------+--------------+
`,
    );
  });

  it("prints canonical CIDRs and %.5g totals, left-aligned as they are not decimals (table.go:39)", () => {
    // net.ParseCIDR drops host bits; IPNet.String writes IPv6 as RFC 5952. 2^80 -> "1.2089e+24";
    // 2^80 - 1 in float64 is 2^80.
    const text = show(
      {
        ippools: [pool("a-v4", "10.45.0.0/16", 26), pool("b-v6", "FD00:0045:0000:0000:0000:0000:0000:0000/48", 122)],
        ipamblocks: [block("10.45.3.5/26", "a", 1), block("FD00:0045:0000:0000:0000:0000:0000:0040/122", "a", 1)],
      },
      true,
    );
    assert.equal(
      text,
      `+----------+-----------------+------------+------------+-------------------+
| GROUPING |      CIDR       | IPS TOTAL  | IPS IN USE |     IPS FREE      |
+----------+-----------------+------------+------------+-------------------+
| IP Pool  | 10.45.0.0/16    |      65536 | 1 (0%)     | 65535 (100%)      |
| Block    | 10.45.3.0/26    |         64 | 1 (2%)     | 63 (98%)          |
| IP Pool  | fd00:45::/48    | 1.2089e+24 | 1 (0%)     | 1.2089e+24 (100%) |
| Block    | fd00:45::40/122 |         64 | 1 (2%)     | 63 (98%)          |
+----------+-----------------+------------+------------+-------------------+
`,
    );
  });

  it("prints a /8 pool's total as 1.6777e+07, left-aligned", () => {
    assert.equal(
      show({ ippools: [pool("big", "10.0.0.0/8", 26)] }),
      `+----------+------------+------------+------------+-------------------+
| GROUPING |    CIDR    | IPS TOTAL  | IPS IN USE |     IPS FREE      |
+----------+------------+------------+------------+-------------------+
| IP Pool  | 10.0.0.0/8 | 1.6777e+07 | 0 (0%)     | 1.6777e+07 (100%) |
+----------+------------+------------+------------+-------------------+
`,
    );
  });

  it("counts a block of 64+ host bits as Go's int does: capacity 0, so -Inf% and +Inf% (model/block.go:226)", () => {
    const wide = block("fd00::/64", "a", 0, 0, { unallocated: [0, 1, 2] });
    const rows = show({ ippools: [pool("v6", "fd00::/48", 122)], ipamblocks: [wide] }, true)
      .split("\n")
      .filter((l) => l.startsWith("| "))
      .slice(1);
    assert.deepEqual(rows.map((r) => r.split("|").slice(2, 6).map((c) => c.trim())), [
      ["fd00::/48", "1.2089e+24", "-3 (-0%)", "1.2089e+24 (100%)"],
      ["fd00::/64", "0", "-3 (-Inf%)", "3 (+Inf%)"],
    ]);
  });
});

describe("calicoctl ipam show --show-borrowed, --show-configuration, --ip", () => {
  it("--show-borrowed lists worker2's pod in worker's block (show.go:49 getBorrowedIPs)", () => {
    // "calico-apiserver/calico-apiserver-6b9f7d8c4-zx8tk" is one 49-character word: wrap.go keeps it whole.
    assert.deepEqual(renderBorrowed(lab), {
      text: `+--------------+---------------------+-----------------+--------------------+------+---------------------------------------------------+
|      IP      |   BORROWING-NODE    |      BLOCK      |    BLOCK OWNER     | TYPE |                   ALLOCATED-TO                    |
+--------------+---------------------+-----------------+--------------------+------+---------------------------------------------------+
| 192.168.1.69 | calico-ipam-worker2 | 192.168.1.64/26 | calico-ipam-worker | pod  | calico-apiserver/calico-apiserver-6b9f7d8c4-zx8tk |
+--------------+---------------------+-----------------+--------------------+------+---------------------------------------------------+
`,
      warnings: [],
    });
  });

  it("--show-borrowed notes allocations without a node attribute (show.go:138)", () => {
    const old = block("10.0.0.0/26", "a", 1, 64, { attributes: [{ handle_id: "h", secondary: {} }] });
    assert.match(renderBorrowed(checkSnapshot(snapshotOf({ ipamblocks: [old] }))).text, /\n\nNote: found 1 IP allocations without an explicit node association\. Unable to determine if they are borrowed\.\n$/);
  });

  it("--show-configuration prints Calico's defaults when there is no IPAMConfig, and the object's values (show.go:216)", () => {
    assert.equal(
      renderConfiguration(null),
      `+--------------------+-------+
|      PROPERTY      | VALUE |
+--------------------+-------+
| StrictAffinity     | false |
| AutoAllocateBlocks | true  |
| MaxBlocksPerHost   |     0 |
+--------------------+-------+
`,
    );
    assert.match(renderConfiguration({ spec: { strictAffinity: true, autoAllocateBlocks: true, maxBlocksPerHost: 4 } }), /\| StrictAffinity {5}\| true {2}\|\n.*\n\| MaxBlocksPerHost {3}\| {5}4 \|/);
  });

  it("--ip says who holds an address, attributes sorted (show.go:146; Go's map order is random)", () => {
    assert.equal(
      lookupIp("192.168.1.69", lab)?.text,
      `IP 192.168.1.69 is in use
Attributes:
  namespace: calico-apiserver
  node: calico-ipam-worker2
  pod: calico-apiserver-6b9f7d8c4-zx8tk
  timestamp: 2025-11-24 00:22:14.701266 +0000 UTC
`,
    );
    const found = lookupIp("192.168.1.69", lab);
    assert.deepEqual([found?.block, found?.blockNode, found?.handle], ["192.168.1.64/26", "calico-ipam-worker", "k8s-pod-network.5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"]);
  });

  it("--ip: a free address, one outside every enabled pool, and one in a missing block are \"not assigned\"", () => {
    assert.equal(lookupIp("192.168.1.70", lab)?.text, "192.168.1.70 is not assigned\n");
    assert.equal(lookupIp("10.99.0.0", lab)?.text, "10.99.0.0 is not assigned\n");
    assert.equal(lookupIp("192.168.200.1", lab)?.text, "192.168.200.1 is not assigned\n");
    // Go reads ::ffff:a.b.c.d as the IPv4 address (net.IP.To4) and prints it so.
    assert.equal(lookupIp("::ffff:192.168.1.70", lab)?.text, "192.168.1.70 is not assigned\n");
    assert.equal(lookupIp("192.168.1.300", lab), undefined);
  });
});

describe("tablewriter v0.0.5 and Go number formats", () => {
  it("wraps a cell wider than 30 columns at spaces with minimal raggedness (table.go:904, wrap.go WrapWords)", () => {
    assert.equal(
      renderTable(["h1", "h2"], [["x", "aaaa bbbb cccc dddd eeee ffff gggg"]]),
      `+----+--------------------------------+
| H1 |               H2               |
+----+--------------------------------+
| x  | aaaa bbbb cccc dddd eeee ffff  |
|    | gggg                           |
+----+--------------------------------+
`,
    );
  });

  it("prints %.5g like Go: exact up to 5 digits, then d.dddde+XX with ties to even", () => {
    assert.deepEqual(
      [65536, 0, 2 ** 20, 2 ** 24, 100000, 123455, 123445, 999995, 2 ** 128, -6].map(formatG5),
      ["65536", "0", "1.0486e+06", "1.6777e+07", "1e+05", "1.2346e+05", "1.2344e+05", "1e+06", "3.4028e+38", "-6"],
    );
  });

  it("prints %.f with exact halves to even, Go's -0, +Inf, -Inf and NaN", () => {
    assert.deepEqual([12.5, 87.5, 7.8125, -0.009, -9.375, Infinity, -Infinity, NaN].map(formatFixed0), ["12", "88", "8", "-0", "-9", "+Inf", "-Inf", "NaN"]);
  });
});
