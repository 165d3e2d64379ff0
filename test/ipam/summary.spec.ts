import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { summariseTigeraStatus, type TigeraStatus } from "../../lib/calico/status";
import { analyseSnapshot, stateFromSnapshot } from "../../lib/ipam/reader";
import { block, fixtureSnapshot, items, pool, snapshotOf } from "./fixture-state";

describe("IPAM summary (calicoctl ipam show arithmetic, exact counts)", () => {
  const { ipam, warnings } = stateFromSnapshot(fixtureSnapshot());

  it("counts each pool as calicoctl does, every address count a decimal string", () => {
    // ipam.go:2127 GetUtilization. default-ipv4-ippool 192.168.0.0/16: total 2^(32-16) = 65536; its blocks,
    // in use = 64 - len(unallocated): 0.64/26 5, 1.64/26 6, 2.0/26 3, 2.192/26 0 (pendingDeletion, still
    // counted): 14, free 65522. lab-extra-ippool 10.48.0.0/24: 256; 10.48.0.16/28: 16 - 14 = 2.
    assert.deepEqual(ipam.pools, [
      { name: "default-ipv4-ippool", cidr: "192.168.0.0/16", family: "IPv4", blockSize: 26, disabled: false, blocksTotal: "1024", blocks: 4, ipsTotal: "65536", ipsInUse: "14", ipsFree: "65522" },
      { name: "lab-extra-ippool", cidr: "10.48.0.0/24", family: "IPv4", blockSize: 28, disabled: false, blocksTotal: "16", blocks: 1, ipsTotal: "256", ipsInUse: "2", ipsFree: "254" },
    ]);
    assert.deepEqual(warnings, []);
  });

  it("keeps blocks in the API's list order (by name), as calicoctl prints them", () => {
    assert.deepEqual(
      ipam.blocks.map((b) => [b.cidr, b.node, b.pool, b.ipsInUse, b.ipsBorrowed]),
      [
        ["10.48.0.16/28", "calico-ipam-worker2", "lab-extra-ippool", "2", "0"],
        ["192.168.0.64/26", "calico-ipam-control-plane", "default-ipv4-ippool", "5", "0"],
        // 192.168.1.69 is held by worker2's calico-apiserver in worker's block.
        ["192.168.1.64/26", "calico-ipam-worker", "default-ipv4-ippool", "6", "1"],
        ["192.168.2.0/26", "calico-ipam-worker2", "default-ipv4-ippool", "3", "0"],
        ["192.168.2.192/26", "calico-ipam-worker2", "default-ipv4-ippool", "0", "0"],
      ],
    );
    assert.deepEqual(ipam.orphanBlocks, [
      { cidr: "10.99.0.0/26", node: "calico-ipam-worker", pool: null, ipsTotal: "64", ipsInUse: "1", ipsFree: "63", ipsBorrowed: "0" },
    ]);
  });

  it("sums per node by affinity and counts the borrowed address for the borrowing node", () => {
    assert.deepEqual(ipam.nodes, [
      { name: "calico-ipam-control-plane", blocks: 1, ipsInUse: "5", ipsBorrowed: "0" },
      { name: "calico-ipam-worker", blocks: 2, ipsInUse: "7", ipsBorrowed: "0" },
      { name: "calico-ipam-worker2", blocks: 3, ipsInUse: "5", ipsBorrowed: "1" },
    ]);
  });

  it("carries the check's numbers: 17 allocations, 17 addresses in use, no problems on the lab", () => {
    assert.deepEqual(ipam.check, { ipsAllocated: "17", ipsInUse: "17", problems: 0 });
  });

  it("never carries the 2^53+ sequence numbers into the summary", () => {
    const raw = fs.readFileSync(path.join(__dirname, "..", "fixtures", "ipam", "ipamblocks.json"), "utf8");
    assert.ok(BigInt(raw.match(/"sequenceNumber": (\d+)/)?.[1] ?? "0") > 2n ** 53n);
    assert.doesNotMatch(JSON.stringify(ipam), /sequenceNumber|1764/);
  });

  it("keeps IPv6 counts exact past 2^53 (a /48 holds 2^80 addresses)", () => {
    const { ipam: v6 } = stateFromSnapshot(
      snapshotOf({ ippools: [pool("v6", "fd00:10::/48", 122)], ipamblocks: [block("fd00:10::40/122", "n1", 3)] }),
    );
    assert.equal(v6.pools[0].ipsTotal, (2n ** 80n).toString());
    assert.equal(v6.pools[0].ipsFree, (2n ** 80n - 3n).toString());
    assert.equal(v6.pools[0].blocksTotal, (2n ** 74n).toString());
    // Through JSON (the stack output, --json) the digits survive.
    assert.equal(JSON.parse(JSON.stringify(v6)).pools[0].ipsTotal, "1208925819614629174706176");
  });

  it("gives a block to the first pool in list order when pools overlap, never across families", () => {
    const { ipam: s } = stateFromSnapshot(
      snapshotOf({
        ippools: [pool("v6-everything", "::/0", 122), pool("b-narrow", "10.0.0.0/24", 26), pool("a-wide", "10.0.0.0/16", 26)],
        ipamblocks: [block("10.0.0.64/26", "n1", 4), block("10.0.9.0/26", null, 64)],
      }),
    );
    // ::/0 comes first but holds no IPv4 block (Go's IPNet.Contains is false across families).
    assert.deepEqual(s.pools.map((p) => [p.name, p.ipsInUse]), [["v6-everything", "0"], ["b-narrow", "4"], ["a-wide", "64"]]);
    assert.equal(s.blocks.find((b) => b.cidr === "10.0.9.0/26")?.node, null);
  });

  it("sorts nodes naturally: worker2 before worker10", () => {
    const { ipam: s } = stateFromSnapshot(snapshotOf({ nodes: ["worker10", "worker2", "worker1"].map((name) => ({ metadata: { name } })) }));
    assert.deepEqual(s.nodes.map((n) => n.name), ["worker1", "worker2", "worker10"]);
  });
});

describe("odd objects beside good ones (issue 19 item 6)", () => {
  const good = block("10.0.0.0/26", "n1", 5);
  const odd = (name: string, spec: Record<string, unknown>): never => ({ metadata: { name }, spec: { cidr: "10.0.1.0/26", ...spec } }) as never;

  for (const [name, spec, says] of [
    ["allocations-map", { allocations: { a: 1 }, unallocated: [] }, /spec\.allocations is an object, not a list of indexes/],
    ["affinity-number", { affinity: 7, unallocated: [] }, /spec\.affinity is a number, not "host:<node>"/],
    ["unallocated-text", { unallocated: "abc" }, /spec\.unallocated is a string, not a list of ordinals/],
    ["garbage-cidr", { cidr: "garbage", unallocated: [] }, /spec\.cidr "garbage" is not a CIDR/],
  ] as const) {
    it(`skips a block whose ${name} with a warning naming it, and counts the rest exactly`, () => {
      const state = stateFromSnapshot(snapshotOf({ ippools: [pool("p", "10.0.0.0/16", 26)], ipamblocks: [good, odd(name, spec)] }));
      assert.equal(state.ipam.pools[0].ipsInUse, "5");
      assert.equal(state.warnings.length, 1);
      assert.match(state.warnings[0], new RegExp(`^IPAMBlock "${name}" skipped: ${says.source}`));
    });
  }

  it("treats the affinity \"host:\" as no node, never a node named \"\"", () => {
    const state = stateFromSnapshot(snapshotOf({ ipamblocks: [block("10.0.0.0/26", "", 1)] }));
    assert.deepEqual(state.ipam.nodes, []);
    assert.match(state.warnings[0], /affinity "host:" with no node name/);
  });

  it("counts blocks once under the first of two pools with one name, and says so", () => {
    const state = stateFromSnapshot(snapshotOf({ ippools: [pool("twin", "10.0.0.0/16", 26), pool("twin", "10.0.0.0/16", 26)], ipamblocks: [good] }));
    assert.deepEqual(state.ipam.pools.map((p) => p.ipsInUse), ["5", "0"]);
    assert.match(state.warnings[0], /IPPool "twin" is listed twice/);
  });

  it("warns when a block is larger than its pool (0.0.0.0/0 inside a /16: negative free space)", () => {
    const huge = { metadata: { name: "everything" }, spec: { cidr: "0.0.0.0/0", unallocated: [] } } as never;
    const state = stateFromSnapshot(snapshotOf({ ippools: [pool("p", "10.0.0.0/16", 26)], ipamblocks: [huge] }));
    assert.equal(state.ipam.pools[0].ipsFree, (65536n - 2n ** 32n).toString());
    assert.match(state.warnings.join("\n"), /IPAMBlock "everything" \(0\.0\.0\.0\/0\) is larger than its IP pool "p" \(10\.0\.0\.0\/16\)/);
  });

  it("skips a TigeraStatus whose conditions are an object, keeping the others", () => {
    const bad = { metadata: { name: "calico" }, status: { conditions: { type: "Available" } } } as never;
    const state = stateFromSnapshot(snapshotOf({ tigerastatuses: [bad, ...items("tigerastatuses.json").filter((s: TigeraStatus) => s.metadata?.name !== "calico")] }));
    assert.deepEqual(Object.keys(state.tigeraStatus), ["apiserver", "ippools"]);
    assert.match(state.warnings[0], /^TigeraStatus "calico" skipped/);
  });

  it("keeps the check's inputs optional: no pods read, no check", () => {
    const snapshot = fixtureSnapshot();
    delete snapshot.pods;
    assert.equal(analyseSnapshot(snapshot).state.ipam.check, null);
  });
});

describe("block affinity listing", () => {
  const rows = stateFromSnapshot(fixtureSnapshot()).blockAffinities;

  it("sorts by node, then by address as a number (0.64 before 0.128, 10.x before 192.x)", () => {
    assert.deepEqual(
      rows.map((r) => `${r.node} ${r.cidr}`),
      [
        "calico-ipam-control-plane 192.168.0.64/26",
        "calico-ipam-control-plane 192.168.0.128/26",
        "calico-ipam-worker 10.99.0.0/26",
        "calico-ipam-worker 192.168.1.64/26",
        "calico-ipam-worker2 10.48.0.16/28",
        "calico-ipam-worker2 192.168.2.0/26",
        "calico-ipam-worker2 192.168.2.192/26",
      ],
    );
  });

  it("turns the string deleted into a boolean: only \"true\" is deleted, and keeps the state", () => {
    assert.deepEqual(rows.filter((r) => r.deleted).map((r) => r.name), ["calico-ipam-control-plane-192-168-0-128-26"]);
    assert.equal(rows.find((r) => r.cidr === "192.168.2.192/26")?.state, "pendingDeletion");
  });
});

describe("TigeraStatus summary", () => {
  it("reads the fixture's components as available", () => {
    const summary = summariseTigeraStatus(items("tigerastatuses.json"));
    assert.deepEqual(Object.keys(summary), ["apiserver", "calico", "ippools"]);
    assert.deepEqual(summary.calico, { available: true, progressing: false, degraded: false, message: "All Objects Available" });
  });
});

describe("warnings", () => {
  it("are capped at 20 a read, the last one saying how many more there were", () => {
    const odd = Array.from({ length: 50 }, (_, i) => ({ metadata: { name: `odd-${i}` }, spec: { cidr: "garbage" } }) as never);
    const { warnings } = stateFromSnapshot(snapshotOf({ ipamblocks: odd }));
    assert.equal(warnings.length, 20);
    assert.equal(warnings[19], "and 31 more warnings like these");
  });
});
