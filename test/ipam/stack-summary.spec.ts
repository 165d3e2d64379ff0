// The `summary` output: the line `npm run up` ends with, from the real summariser's `ipam` output.
import { strict as assert } from "node:assert";
import { parseLabConfig, type RawConfig } from "../../lib/config";
import { EMPTY_IPAM_STATE, stateFromSnapshot } from "../../lib/ipam/reader";
import { stackSummary } from "../../lib/ipam/stack-summary";
import type { IpamSnapshot } from "../../lib/ipam/types";
import { MOCK_KUBECONFIG } from "../support/mocks";
import { block, fixtureSnapshot, pool, snapshotOf } from "./fixture-state";

const NODES = ["calico-ipam-control-plane", "calico-ipam-worker", "calico-ipam-worker2"];
const nodes = NODES.map((name) => ({ metadata: { name } })) as IpamSnapshot["nodes"];
const config = (raw: RawConfig = {}) => parseLabConfig(raw);
const KUBECONFIG = MOCK_KUBECONFIG;

/** A fresh default lab: one /26 block per node; the worker's also holds the probe and a system pod. */
function freshLab(): IpamSnapshot {
  return snapshotOf({
    ippools: [pool("default-ipv4-ippool", "192.168.0.0/16", 26)],
    ipamblocks: [block("192.168.0.64/26", NODES[0], 5), block("192.168.1.64/26", NODES[1], 5), block("192.168.2.0/26", NODES[2], 3)],
    nodes,
  });
}

describe("the summary output", () => {
  it("says in one line what a default lab holds, what to run next, its cost and the clean-up", () => {
    const { ipam } = stateFromSnapshot(freshLab());
    // t3.xlarge 0.1664 + 50 GB gp3 0.08*50/730 + 125 MiB/s above the baseline 0.04*125/730 + 0.005 = 0.1837.
    assert.equal(
      stackSummary(config(), ipam),
      "3 nodes, 3 blocks of /26 claimed, 13 of 65,536 addresses in use; next: npm run -s ipam -- --show-blocks; " +
        "cost about $0.18/h; npm run destroy when done",
    );
  });

  it("names each pool, the blocks outside every pool and a disabled pool", () => {
    const { ipam } = stateFromSnapshot(fixtureSnapshot());
    assert.equal(
      stackSummary(config(), ipam),
      "3 nodes; pool default-ipv4-ippool: 4 blocks of /26 claimed, 14 of 65,536 addresses in use; " +
        "pool lab-extra-ippool: 1 block of /28 claimed, 2 of 256 addresses in use; 1 block outside every pool; " +
        "next: npm run -s ipam -- --show-blocks; cost about $0.18/h; npm run destroy when done",
    );
    const disabled = stateFromSnapshot(snapshotOf({
      ippools: [pool("main", "10.244.64.0/18", 26, { disabled: true }), pool("main-v2", "10.244.192.0/18", 26)],
      ipamblocks: [block("10.244.64.0/26", NODES[1], 2)],
      nodes,
    })).ipam;
    assert.match(stackSummary(config(), disabled), /^3 nodes; pool main: 1 block of \/26 claimed, 2 of 16,384 addresses in use \(disabled\); pool main-v2: 0 blocks of \/26 claimed, 0 of 16,384 addresses in use; next:/);
  });

  it("keeps the line one line with many pools", () => {
    const many = stateFromSnapshot(snapshotOf({
      ippools: ["a", "b", "c", "d", "e"].map((name, i) => pool(name, `10.${i}.0.0/24`, 28)),
      nodes,
    })).ipam;
    const line = stackSummary(config(), many);
    assert.match(line, /pool c: [^;]*; and 2 more pools; next:/);
    assert.doesNotMatch(line, /pool d/);
    assert.doesNotMatch(line, /\n/);
  });

  it("counts a dual-stack lab's IPv6 pool exactly: 2^72 addresses, never rounded", () => {
    const dual = stateFromSnapshot(snapshotOf({
      ippools: [pool("default-ipv4-ippool", "192.168.0.0/16", 26), pool("default-ipv6-ippool", "fd00:10:244::/56", 122)],
      ipamblocks: [
        block("192.168.0.64/26", NODES[0], 4), block("192.168.1.64/26", NODES[1], 4), block("192.168.2.0/26", NODES[2], 4),
        block("fd00:10:244:0:a1b2:c3d4:e5f6:40/122", NODES[0], 3), block("fd00:10:244:0:a1b2:c3d4:e5f6:80/122", NODES[1], 3),
        block("fd00:10:244:0:a1b2:c3d4:e5f6:c0/122", NODES[2], 3),
      ],
      nodes,
    })).ipam;
    assert.equal(dual.pools[1].ipsTotal, (2n ** 72n).toString(), "the ipam output holds it as a decimal string");
    assert.match(
      stackSummary(config(), dual),
      /^3 nodes; pool default-ipv4-ippool: 3 blocks of \/26 claimed, 12 of 65,536 addresses in use; pool default-ipv6-ippool: 3 blocks of \/122 claimed, 9 of 4,722,366,482,869,645,213,696 addresses in use; next:/,
    );
  });

  it("says the IPAM state was not read when the read failed, and points at the live read", () => {
    assert.equal(
      stackSummary(config(), EMPTY_IPAM_STATE.ipam),
      "IPAM not read on this run (see the warning above); next: npm run -s ipam; cost about $0.18/h; npm run destroy when done",
    );
  });

  it("sends the user to check when the check found problems", () => {
    const { ipam } = stateFromSnapshot(freshLab());
    const troubled = { ...ipam, check: { ipsAllocated: "13", ipsInUse: "11", problems: 2 } };
    assert.match(stackSummary(config(), troubled), /addresses in use; 2 IPAM problems; next: npm run -s ipam -- check;/);
  });

  it("prices the host from the config, and says so when the instance type is not in the price table", () => {
    const { ipam } = stateFromSnapshot(freshLab());
    // t3.2xlarge 0.3328 + 100 GB 0.011 + 0.0068 + 0.005 = 0.3556.
    assert.match(stackSummary(config({ instanceType: "t3.2xlarge", rootVolumeGb: "100" }), ipam), /; cost about \$0\.36\/h;/);
    assert.match(stackSummary(config({ instanceType: "m7a.xlarge" }), ipam), /; cost: m7a\.xlarge's on-demand price plus about \$0\.02\/h;/);
  });

  it("has no AWS cost on targets local and existing, and nothing to destroy when it only reads", () => {
    const { ipam } = stateFromSnapshot(freshLab());
    assert.match(stackSummary(config({ target: "local" }), ipam), /; no AWS cost; npm run destroy when done$/);
    assert.match(
      stackSummary(config({ target: "existing", kubeconfig: KUBECONFIG }), ipam),
      /; no AWS cost; npm run destroy removes what this stack installed$/,
    );
    assert.match(
      stackSummary(config({ target: "existing", kubeconfig: KUBECONFIG, calicoInstall: "none" }), ipam),
      /; no AWS cost; read-only: nothing to destroy$/,
    );
  });
});
