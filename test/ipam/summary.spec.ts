import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { summariseTigeraStatus, type TigeraStatus } from "../../lib/calico/status";
import { listBlockAffinities, summariseIpam } from "../../lib/ipam/summary";
import { formatG5, formatPercent } from "../../lib/ipam/table";
import type { IpamSnapshot } from "../../lib/ipam/types";

const FIXTURES = path.join(__dirname, "..", "fixtures", "ipam");

// Parsed the way client-node parses a response (plain JSON.parse, big integers rounded), so the
// summaries are tested on exactly what the reader hands them.
function items(file: string): never[] {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")).items;
}

function fixtureSnapshot(): IpamSnapshot {
  return {
    ippools: items("ippools.json"),
    ipamblocks: items("ipamblocks.json"),
    blockaffinities: items("blockaffinities.json"),
    nodes: items("nodes.json"),
    tigerastatuses: items("tigerastatuses.json"),
  };
}

describe("IPAM summary (calicoctl ipam show arithmetic)", () => {
  const ipam = summariseIpam(fixtureSnapshot());

  it("counts each pool as calicoctl does", () => {
    // default-ipv4-ippool 192.168.0.0/16: total 2^(32-16) = 65536.
    // Its blocks, in use = 64 - len(unallocated):
    //   192.168.0.64/26  control-plane  64 - 59 = 5 (tunnel, 2x coredns, local-path, probe)
    //   192.168.1.64/26  worker         64 - 58 = 6 (one of them borrowed by worker2)
    //   192.168.2.0/26   worker2        64 - 61 = 3
    //   192.168.2.192/26 worker2        64 - 64 = 0 (affinity pendingDeletion: still counted)
    //   in use 5 + 6 + 3 + 0 = 14, free 65536 - 14 = 65522.
    // lab-extra-ippool 10.48.0.0/24: total 2^(32-24) = 256; 10.48.0.16/28: 16 - 14 = 2; free 254.
    // 10.99.0.0/26 lies in neither pool: it adds to no pool total.
    assert.deepEqual(ipam.pools, [
      { name: "default-ipv4-ippool", cidr: "192.168.0.0/16", blockSize: 26, ipsTotal: 65536, ipsInUse: 14, ipsFree: 65522 },
      { name: "lab-extra-ippool", cidr: "10.48.0.0/24", blockSize: 28, ipsTotal: 256, ipsInUse: 2, ipsFree: 254 },
    ]);
  });

  it("lists the blocks inside pools in address order (10.x before 192.x), with node and pool", () => {
    assert.deepEqual(ipam.blocks, [
      { cidr: "10.48.0.16/28", node: "calico-ipam-worker2", pool: "lab-extra-ippool", ipsTotal: 16, ipsInUse: 2, ipsFree: 14 },
      { cidr: "192.168.0.64/26", node: "calico-ipam-control-plane", pool: "default-ipv4-ippool", ipsTotal: 64, ipsInUse: 5, ipsFree: 59 },
      { cidr: "192.168.1.64/26", node: "calico-ipam-worker", pool: "default-ipv4-ippool", ipsTotal: 64, ipsInUse: 6, ipsFree: 58 },
      { cidr: "192.168.2.0/26", node: "calico-ipam-worker2", pool: "default-ipv4-ippool", ipsTotal: 64, ipsInUse: 3, ipsFree: 61 },
      { cidr: "192.168.2.192/26", node: "calico-ipam-worker2", pool: "default-ipv4-ippool", ipsTotal: 64, ipsInUse: 0, ipsFree: 64 },
    ]);
  });

  it("reports the block outside every pool apart, without a pool", () => {
    // 10.99.0.0/26, affinity worker, 64 - 63 = 1 in use.
    assert.deepEqual(ipam.orphanBlocks, [{ cidr: "10.99.0.0/26", node: "calico-ipam-worker", ipsTotal: 64, ipsInUse: 1, ipsFree: 63 }]);
  });

  it("sums per node by affinity and counts the borrowed address for the borrowing node", () => {
    // control-plane: 1 block (0.64), 5 in use.
    // worker: 2 blocks (1.64 and the orphan 10.99.0.0/26): 6 + 1 = 7 in use; it lends one address.
    // worker2: 3 blocks (2.0, 2.192, 10.48.0.16/28): 3 + 0 + 2 = 5 in use; its calico-apiserver pod
    //   holds 192.168.1.69 in worker's block (attributes[].secondary.node = worker2): 1 borrowed.
    assert.deepEqual(ipam.nodes, [
      { name: "calico-ipam-control-plane", blocks: 1, ipsInUse: 5, ipsBorrowed: 0 },
      { name: "calico-ipam-worker", blocks: 2, ipsInUse: 7, ipsBorrowed: 0 },
      { name: "calico-ipam-worker2", blocks: 3, ipsInUse: 5, ipsBorrowed: 1 },
    ]);
  });

  it("never carries the 2^53+ sequence numbers into the summary", () => {
    const raw = fs.readFileSync(path.join(FIXTURES, "ipamblocks.json"), "utf8");
    const digits = raw.match(/"sequenceNumber": (\d+)/)?.[1] ?? "";
    assert.ok(BigInt(digits) > 2n ** 53n, "the fixture holds a sequence number beyond 2^53");
    assert.doesNotMatch(JSON.stringify(ipam), /sequenceNumber|1764/);
  });

  it("gives a block to the first pool in list order when pools overlap, and keeps unowned blocks", () => {
    const snapshot: IpamSnapshot = {
      ippools: [
        { metadata: { name: "b-narrow" }, spec: { cidr: "10.0.0.0/24", blockSize: 26 } },
        { metadata: { name: "a-wide" }, spec: { cidr: "10.0.0.0/16", blockSize: 26 } },
        { metadata: { name: "v6" }, spec: { cidr: "fd00:10::/48", blockSize: 122 } },
      ],
      ipamblocks: [
        { spec: { cidr: "10.0.0.64/26", affinity: "host:n1", unallocated: Array.from({ length: 60 }, (_, i) => i) } },
        { spec: { cidr: "10.0.9.0/26", unallocated: [] } },
        { spec: { cidr: "fd00:10::40/122", affinity: "host:n1", unallocated: Array.from({ length: 61 }, (_, i) => i) } },
      ],
      blockaffinities: [],
      nodes: [{ metadata: { name: "n2" } }],
      tigerastatuses: [],
    };
    const result = summariseIpam(snapshot);
    // 10.0.0.64/26 is in both IPv4 pools; b-narrow comes first in the list: 64 - 60 = 4 there.
    // 10.0.9.0/26 is only in a-wide: 64 in use, no affinity, so no node.
    // fd00:10::40/122: 2^(128-122) = 64 addresses, 64 - 61 = 3 in use; pool total 2^(128-48) = 2^80.
    assert.deepEqual(
      result.pools.map((p) => [p.name, p.ipsInUse, p.ipsTotal]),
      [
        ["b-narrow", 4, 256],
        ["a-wide", 64, 65536],
        ["v6", 3, 2 ** 80],
      ],
    );
    assert.equal(result.blocks.find((b) => b.cidr === "10.0.9.0/26")?.node, null);
    // n2 has no block but is a node of the cluster; n1 holds two blocks (4 + 3).
    assert.deepEqual(result.nodes, [
      { name: "n1", blocks: 2, ipsInUse: 7, ipsBorrowed: 0 },
      { name: "n2", blocks: 0, ipsInUse: 0, ipsBorrowed: 0 },
    ]);
  });

  it("uses list order, not address order, when a block spans two separate pools", () => {
    // 10.0.0.0/26 overlaps both /27 pools; the one listed first (the upper half) takes it.
    const result = summariseIpam({
      ippools: [
        { metadata: { name: "listed-first" }, spec: { cidr: "10.0.0.32/27", blockSize: 26 } },
        { metadata: { name: "listed-second" }, spec: { cidr: "10.0.0.0/27", blockSize: 26 } },
      ],
      ipamblocks: [{ spec: { cidr: "10.0.0.0/26", affinity: "host:n1", unallocated: [] } }],
      nodes: [],
    });
    assert.equal(result.blocks[0].pool, "listed-first");
    assert.deepEqual(
      result.pools.map((p) => p.ipsInUse),
      [64, 0],
    );
  });
});

describe("block affinity listing", () => {
  const rows = listBlockAffinities(fixtureSnapshot().blockaffinities);

  it("sorts by node, then by address as a number (0.64 before 0.128, 10.x before 192.x)", () => {
    // The API returns them by name, where "…-0-128-26" sorts before "…-0-64-26".
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

  it("turns the string deleted into a boolean: only \"true\" is deleted", () => {
    assert.deepEqual(
      rows.filter((r) => r.deleted).map((r) => r.name),
      ["calico-ipam-control-plane-192-168-0-128-26"],
    );
    assert.deepEqual(rows[0], {
      name: "calico-ipam-control-plane-192-168-0-64-26",
      node: "calico-ipam-control-plane",
      cidr: "192.168.0.64/26",
      state: "confirmed",
      deleted: false,
    });
  });

  it("keeps the pendingDeletion state", () => {
    assert.equal(rows.find((r) => r.cidr === "192.168.2.192/26")?.state, "pendingDeletion");
  });
});

describe("TigeraStatus summary", () => {
  it("reads the fixture's components as available", () => {
    const summary = summariseTigeraStatus(items("tigerastatuses.json"));
    assert.deepEqual(Object.keys(summary), ["apiserver", "calico", "ippools"]);
    assert.deepEqual(summary.calico, { available: true, progressing: false, degraded: false, message: "All Objects Available" });
  });

  it("shows the Degraded message when a component is degraded", () => {
    const degraded: TigeraStatus = {
      metadata: { name: "ippools" },
      status: {
        conditions: [
          { type: "Available", status: "True", message: "All Objects Available" },
          { type: "Progressing", status: "False", message: "" },
          { type: "Degraded", status: "True", reason: "ResourceValidationError", message: "cannot modify blockSize of pool" },
        ],
      },
    };
    assert.deepEqual(summariseTigeraStatus([degraded]).ippools, {
      available: true,
      progressing: false,
      degraded: true,
      message: "cannot modify blockSize of pool",
    });
  });
});

describe("calicoctl number formats", () => {
  it("prints %.5g like Go: exact up to 5 digits, then d.dddde+XX with ties to even", () => {
    assert.equal(formatG5(65536), "65536");
    assert.equal(formatG5(0), "0");
    assert.equal(formatG5(2 ** 20), "1.0486e+06"); // 1048576
    assert.equal(formatG5(2 ** 24), "1.6777e+07"); // 16777216
    assert.equal(formatG5(100000), "1e+05");
    assert.equal(formatG5(123455), "1.2346e+05"); // tie, 5 odd: up
    assert.equal(formatG5(123445), "1.2344e+05"); // tie, 4 even: stays
    assert.equal(formatG5(999995), "1e+06"); // rounds into a new digit
  });

  it("prints %.f%% with exact halves to even", () => {
    assert.equal(formatPercent(14, 65536), "0%"); // 0.02%
    assert.equal(formatPercent(65522, 65536), "100%"); // 99.98%
    assert.equal(formatPercent(2, 16), "12%"); // 12.5 -> 12
    assert.equal(formatPercent(14, 16), "88%"); // 87.5 -> 88
    assert.equal(formatPercent(5, 64), "8%"); // 7.8125
  });
});
