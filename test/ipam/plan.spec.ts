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
  it("gives the lab's numbers: 1,024 blocks of 64 addresses in a /16", () => {
    const plan = ipPlanFor(parseLabConfig({}));
    assert.deepEqual(
      { ...plan, notes: undefined },
      {
        poolCidr: "192.168.0.0/16", family: "IPv4", blockSize: 26, nodes: 3, podsPerNode: 110, tunnelAddressPerNode: true,
        poolAddresses: "65536", blocks: "1024", addressesPerBlock: "64", nodesAtOneBlockEach: "1024",
        podsBeforeSecondBlock: "63", blocksPerNodeAtPodsPerNode: "2", nodesAtPodsPerNode: "512", warnings: [], notes: undefined,
      },
    );
    // Normal for Calico's default blocks: a note, not a warning printed at every preview.
    assert.deepEqual(plan.notes, ["a node running more than 63 pods claims a second /26 block (kubelet's default is 110 pods per node)"]);
  });

  it("follows the config: nodes are workers + 1, and encapsulation None leaves the whole block to pods", () => {
    const plan = ipPlanFor(parseLabConfig({ workers: "5", encapsulation: "None", podCidr: "10.244.0.0/20", blockSize: "24" }));
    assert.equal(plan.nodes, 6);
    assert.equal(plan.blocks, "16");
    assert.equal(plan.addressesPerBlock, "256");
    assert.equal(plan.podsBeforeSecondBlock, "256");
    assert.equal(plan.blocksPerNodeAtPodsPerNode, "1");
    assert.deepEqual(plan.notes, []);
  });

  it("sizes /32 blocks: one address each, one block per pod, and says so", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/16", blockSize: 32, nodes: 3 });
    assert.equal(plan.blocks, "65536");
    assert.equal(plan.addressesPerBlock, "1");
    assert.equal(plan.podsBeforeSecondBlock, "0");
    assert.equal(plan.blocksPerNodeAtPodsPerNode, "111");
    assert.equal(plan.warnings.length, 1, plan.warnings.join("\n"));
    assert.match(plan.warnings[0], /^\/32 blocks hold one address: every pod claims a block of its own.*tunnel address takes a block/);
  });

  it("sizes a pool that is exactly one block, and warns that the nodes outnumber the blocks", () => {
    const plan = planIp({ poolCidr: "192.168.10.0/26", blockSize: 26, nodes: 3 });
    assert.equal(plan.poolAddresses, "64");
    assert.equal(plan.blocks, "1");
    assert.equal(plan.nodesAtOneBlockEach, "1");
    assert.equal(plan.nodesAtPodsPerNode, "0");
    assert.match(plan.warnings[0], /^192\.168\.10\.0\/26 holds 1 \/26 block for 3 nodes: .*a block size of at least 28$/);
  });

  it("keeps IPv6 counts exact past 2^53: /122 blocks in a /64", () => {
    const plan = planIp({ poolCidr: "fd00:10:244::/64", blockSize: 122, nodes: 3 });
    assert.equal(plan.family, "IPv6");
    assert.equal(plan.blocks, "288230376151711744"); // 2^58
    assert.equal(plan.poolAddresses, "18446744073709551616"); // 2^64
    assert.equal(plan.nodesAtPodsPerNode, "144115188075855872");
    assert.ok(BigInt(plan.blocks) > BigInt(Number.MAX_SAFE_INTEGER));
    // The JSON a user or a stack output gets carries the exact digits.
    const json = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
    assert.equal(json.blocks, "288230376151711744");
    assert.equal(planIp({ poolCidr: "fd00::/64", blockSize: 128, nodes: 3 }).blocks, "18446744073709551616");
  });

  it("warns when there are fewer than two blocks per node", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/24", blockSize: 26, nodes: 3 });
    assert.equal(plan.blocks, "4");
    assert.deepEqual(plan.warnings.length, 1);
    assert.match(plan.warnings[0], /holds 4 \/26 blocks for 3 nodes \(fewer than 2 per node\)/);
  });

  it("warns when full nodes need more blocks than the pool has", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/22", blockSize: 26, nodes: 6, podsPerNode: 250 });
    assert.match(plan.warnings[0], /^at 250 pods per node each node needs 4 \/26 blocks, 24 in all, but 192\.168\.0\.0\/22 holds 16: full nodes will run out$/);
  });

  it("warns when small blocks make a node hold many of them", () => {
    const plan = planIp({ poolCidr: "192.168.0.0/16", blockSize: 28, nodes: 3 });
    assert.match(plan.warnings[0], /^a \/28 block holds 16 addresses: a node running 110 pods claims 7 blocks/);
  });

  it("refuses block sizes Calico refuses, per family", () => {
    const refuses = (input: Parameters<typeof planIp>[0], field: string, text: RegExp): void => {
      assert.throws(() => planIp(input), (e: unknown) => e instanceof PlanError && e.field === field && text.test(e.message));
    };
    refuses({ poolCidr: "192.168.0.0/16", blockSize: 40, nodes: 3 }, "blockSize", /block size 40 is outside 20-32.*IPv4/);
    refuses({ poolCidr: "fd00::/64", blockSize: 26, nodes: 3 }, "blockSize", /outside 116-128.*IPv6/);
    refuses({ poolCidr: "192.168.0.0/24", blockSize: 22, nodes: 3 }, "blockSize", /\/22 block is larger than the pool 192\.168\.0\.0\/24/);
    refuses({ poolCidr: "192.168.1.0/16", blockSize: 26, nodes: 3 }, "poolCidr", /host bits.*did you mean 192\.168\.0\.0\/16\?/);
    refuses({ poolCidr: "192.168.0.0/16", blockSize: 26, nodes: 0 }, "nodes", /at least 1/);
  });

  it("prints the plan for people", () => {
    const text = formatPlan(planIp({ poolCidr: "192.168.0.0/16", blockSize: 26, nodes: 3 }));
    assert.match(text, /addresses in the pool: +65,536\n/);
    assert.match(text, /blocks in the pool: +1,024 blocks of 64 addresses\n/);
    assert.match(text, /pods per node before a 2nd block: +63 \(64 addresses per block, 1 taken by the node's tunnel device; kubelet default max pods: 110\)/);
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
