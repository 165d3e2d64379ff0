// The IP plan's numbers, as the lab's text teaches them, and its warnings when a plan is tight.
import * as assert from "node:assert/strict";
import { parseLabConfig } from "../../lib/config";
import { cidrsOverlap, parseCidr, type Cidr } from "../../lib/core/cidr";
import { formatPlan, planIp, PlanError } from "../../lib/ipam/plan";
import { ipPlanFor } from "../../lab";

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  assert.ok(r.ok, text);
  return r.cidr;
}

describe("IP plan", () => {
  it("gives the lab's numbers: 1,024 blocks of 64 addresses in a /16, what 3 full nodes need, how many more fit", () => {
    const plan = ipPlanFor(parseLabConfig({}));
    assert.deepEqual(
      { ...plan, notes: undefined },
      {
        poolCidr: "192.168.0.0/16", family: "IPv4", blockSize: 26, nodes: 3, podsPerNode: 110, tunnelAddressPerNode: true,
        // 3 x (110 pods + 1 tunnel) = 333 addresses = 2 /26 blocks a node, 6 in all: a /23 holds them.
        addressesNeeded: "333", blocksNeeded: "6", smallestPoolPrefix: 23,
        poolAddresses: "65536", blocks: "1024", addressesPerBlock: "64", nodesAtOneBlockEach: "1024",
        podsBeforeSecondBlock: "63", blocksPerNodeAtPodsPerNode: "2", nodesAtPodsPerNode: "512", moreNodesThatFit: "509",
        warnings: [], notes: undefined,
      },
    );
    // Normal for Calico's default blocks: a note on the trade-off, not a warning printed at every preview.
    assert.deepEqual(plan.notes, [
      "a full node (110 pods) claims 2 /26 blocks: one IPAMBlock, one BlockAffinity and one route each; a block size of 25 holds a full node in one block (fewer objects and routes, coarser split of the pool)",
    ]);
  });

  it("follows the config: nodes are workers + 1, and encapsulation None leaves the whole block to pods", () => {
    const plan = ipPlanFor(parseLabConfig({ workers: "5", encapsulation: "None", podCidr: "10.244.0.0/20", blockSize: "24" }));
    assert.deepEqual([plan.nodes, plan.blocks, plan.addressesPerBlock, plan.podsBeforeSecondBlock, plan.blocksPerNodeAtPodsPerNode], [6, "16", "256", "256", "1"]);
    assert.deepEqual(plan.notes, []);
  });

  it("says a pool too small for the pods cannot be fixed by a block size: 2,000 nodes in a /16 need a /14", () => {
    const plan = planIp({ poolCidr: "10.244.0.0/16", blockSize: 26, nodes: 2000 });
    assert.equal(plan.addressesNeeded, "222000");
    assert.deepEqual(plan.warnings, [
      "2,000 nodes running 110 pods need 4,000 /26 blocks (222,000 addresses), but 10.244.0.0/16 holds 1,024; 976 nodes would get no block at all, " +
        "and their pods borrow addresses or stay Pending: use a /14 pool or larger (a smaller block size cannot help: the pool has fewer addresses than the pods need)",
    ]);
  });

  it("never suggests tiny blocks for a pool that cannot hold the pods: 40 nodes in a /24 need a /19", () => {
    const plan = planIp({ poolCidr: "10.0.0.0/24", blockSize: 26, nodes: 40 });
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0], /need 80 \/26 blocks \(4,440 addresses\), but 10\.0\.0\.0\/24 holds 4; 36 nodes would get no block at all.*use a \/19 pool or larger/);
    assert.doesNotMatch(plan.warnings[0], /block size of/);
  });

  it("suggests a block size only when the addresses are there: 5 small nodes in a /24 fit with /27 blocks", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/24", blockSize: 26, nodes: 5, podsPerNode: 20 });
    assert.match(plan.warnings[0], /^5 nodes running 20 pods need 5 \/26 blocks \(105 addresses\), but 192\.168\.0\.0\/24 holds 4; 1 node would get no block at all, and its pods .*: use a block size of 27 \(then they fit\), or a \/23 pool or larger$/);
    // And with that block size they do fit.
    assert.deepEqual(planIp({ poolCidr: "192.168.0.0/24", blockSize: 27, nodes: 5, podsPerNode: 20 }).warnings, []);
  });

  it("at 250 pods per node, says what the block size trades, never \"than Calico's default /26 blocks\" for /26 blocks", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/16", blockSize: 26, nodes: 3, podsPerNode: 250 });
    assert.deepEqual(plan.warnings, []);
    assert.match(plan.notes[0], /^a full node \(250 pods\) claims 4 \/26 blocks: .*a block size of 24 holds a full node in one block/);
  });

  it("warns when the pool is nearly full, and notes blocks far larger than a node needs", () => {
    assert.match(planIp({ poolCidr: "192.168.0.0/22", blockSize: 26, nodes: 8 }).warnings[0], /^8 nodes running 110 pods use 16 of the 16 \/26 blocks of 192\.168\.0\.0\/22: room for only 0 more nodes; a \/21 pool would double it$/);
    assert.match(planIp({ poolCidr: "10.0.0.0/16", blockSize: 20, nodes: 3 }).notes[0], /^a \/20 block holds 4,096 addresses, 3,985 more than a full node uses; a block size of 25 would still hold a full node and leave room for 512 nodes$/);
  });

  it("sizes /32 blocks: one address each, one block per pod, and says so", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/16", blockSize: 32, nodes: 3 });
    assert.deepEqual([plan.blocks, plan.addressesPerBlock, plan.podsBeforeSecondBlock, plan.blocksPerNodeAtPodsPerNode], ["65536", "1", "0", "111"]);
    assert.equal(plan.warnings.length, 1, plan.warnings.join("\n"));
    assert.match(plan.warnings[0], /^\/32 blocks hold one address: every pod claims a block of its own.*tunnel address takes a block/);
  });

  it("keeps IPv6 counts exact past 2^53: /122 blocks in a /64", () => {
    const plan = planIp({ poolCidr: "fd00:10:244::/64", blockSize: 122, nodes: 3 });
    assert.equal(plan.family, "IPv6");
    assert.equal(plan.blocks, "288230376151711744"); // 2^58
    assert.equal(plan.poolAddresses, "18446744073709551616"); // 2^64
    assert.equal(plan.nodesAtPodsPerNode, "144115188075855872");
    assert.equal(JSON.parse(JSON.stringify(plan)).blocks, "288230376151711744");
    assert.equal(planIp({ poolCidr: "fd00::/64", blockSize: 128, nodes: 3 }).blocks, "18446744073709551616");
    assert.match(formatPlan(plan), /the 3 nodes use less than 0\.01% of the pool, 144,115,188,075,855,869 more fit/);
  });

  it("refuses block sizes Calico refuses, per family, and numbers out of range, echoing at most 60 characters", () => {
    const refuses = (input: Parameters<typeof planIp>[0], field: string, text: RegExp): void => {
      assert.throws(() => planIp(input), (e: unknown) => e instanceof PlanError && e.field === field && text.test(e.message) && e.message.length < 200);
    };
    refuses({ poolCidr: "192.168.0.0/16", blockSize: 40, nodes: 3 }, "blockSize", /block size 40 is outside 20-32.*IPv4/);
    refuses({ poolCidr: "fd00::/64", blockSize: 26, nodes: 3 }, "blockSize", /outside 116-128.*IPv6/);
    refuses({ poolCidr: "192.168.0.0/24", blockSize: 22, nodes: 3 }, "blockSize", /\/22 block is larger than the pool 192\.168\.0\.0\/24/);
    refuses({ poolCidr: "192.168.1.0/16", blockSize: 26, nodes: 3 }, "poolCidr", /host bits.*did you mean 192\.168\.0\.0\/16\?/);
    refuses({ poolCidr: "192.168.0.0/16", blockSize: 26, nodes: 0 }, "nodes", /from 1 to 100,000, not "0"/);
    refuses({ poolCidr: "192.168.0.0/16", blockSize: 26, nodes: 3, podsPerNode: 20_000 }, "podsPerNode", /from 1 to 10,000/);
    refuses({ poolCidr: "x".repeat(100_000), blockSize: 26, nodes: 3 }, "poolCidr", /^pool "x{57}\.\.\." is not a CIDR/);
  });

  it("prints the plan for people: the need first, then what the pool gives", () => {
    const text = formatPlan(planIp({ poolCidr: "192.168.0.0/16", blockSize: 26, nodes: 3 }));
    assert.match(text, /^IP plan for the IPv4 pool 192\.168\.0\.0\/16 with \/26 blocks and 3 nodes\nWhat the nodes need:\n/);
    assert.match(text, /\n {2}addresses for 3 full nodes: +333\n {2}\/26 blocks for them: +6 \(2 blocks per node\)\n {2}smallest pool that holds them: +\/23\nWhat the pool gives:\n/);
    assert.match(text, /\n {2}full nodes the pool holds: +512; the 3 nodes use 0\.59% of the pool, 509 more fit\n/);
    assert.match(formatPlan(planIp({ poolCidr: "fd00::/64", blockSize: 122, nodes: 3 })), /288,230,376,151,711,744 blocks of 64 addresses/);
  });
});

describe("CIDR parsing", () => {
  it("accepts only what kind and Calico accept, canonically written", () => {
    assert.deepEqual(cidr("10.244.0.0/16"), { family: "IPv4", bits: 32, prefix: 16, network: "10.244.0.0", text: "10.244.0.0/16" });
    assert.equal(cidr("FD00:0::/64").text, "fd00::/64");
    for (const [text, problem] of [
      ["10/8", /dotted-quad/],
      ["010.0.0.0/8", /dotted-quad/],
      ["192.168.0.0/016", /canonically/],
      ["fe80::1%eth0/64", /zone/],
      ["10.0.0.0/33", /outside \/0 to \/32/],
      ["banana", /not a CIDR/],
    ] as const) {
      const r = parseCidr(text);
      assert.ok(!r.ok && problem.test(r.problem), `${text}: ${JSON.stringify(r)}`);
    }
  });

  it("tells overlapping networks apart from neighbours and other families", () => {
    assert.equal(cidrsOverlap(cidr("10.0.0.0/8"), cidr("10.96.0.0/16")), true);
    assert.equal(cidrsOverlap(cidr("10.96.0.0/16"), cidr("10.0.0.0/8")), true);
    assert.equal(cidrsOverlap(cidr("10.96.0.0/16"), cidr("10.97.0.0/16")), false);
    assert.equal(cidrsOverlap(cidr("0.0.0.0/0"), cidr("::/0")), false);
  });
});
