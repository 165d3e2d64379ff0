// What the Tigera operator (v1.38.13, pkg/controller/ippool/pool_controller.go Reconcile) and Calico's
// API server (v3.30.7, libcalico-go/lib/clientv3/ippool.go) do with a changed pool list: the plan the
// preview shows, and the same plan from the live pools under mocks.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { livePool, planPoolChanges, type IPPoolObject, type LivePool } from "../../lib/calico/pool-changes";
import type { PoolSettings } from "../../lib/core/types";
import { buildLabForTest, fakeDeps, valueOf } from "../support/lab-harness";
import { KubeReadError } from "../../lib/core/kube";
import { declared } from "../support/mocks";

const pool = (name: string, cidr: string, more: Partial<PoolSettings> = {}): PoolSettings => ({
  name, cidr, blockSize: 26, encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled", nodeSelector: "all()",
  disableNewAllocations: false, assignmentMode: "Automatic", ...more,
});
const live = (name: string, cidr: string, more: Partial<LivePool> = {}): LivePool => ({
  name, cidr, blockSize: 26, nodeSelector: "all()", encapsulation: "VXLANCrossSubnet", natOutgoing: true, disabled: false,
  assignmentMode: "Automatic", ownedByOperator: true, ...more,
});
const kinds = (changes: { pool: string; change: string }[]) => changes.map((c) => `${c.pool}:${c.change}`);

describe("what the operator does with changed pools", () => {
  const LIVE = [live("main", "10.244.64.0/18"), live("rack-a", "10.244.128.0/24")];

  it("creates every pool of a new cluster", () => {
    assert.deepEqual(kinds(planPoolChanges([], [pool("main", "10.244.64.0/18")])), ["main:create"]);
  });

  it("adds a pool in place and leaves the others alone", () => {
    assert.deepEqual(kinds(planPoolChanges(LIVE, [pool("main", "10.244.64.0/18"), pool("rack-a", "10.244.128.0/24"), pool("v2", "10.244.192.0/18")])),
      ["main:unchanged", "rack-a:unchanged", "v2:create"]);
  });

  it("updates selector and disableNewAllocations in place, saying what pods see", () => {
    const [main] = planPoolChanges(LIVE, [pool("main", "10.244.64.0/18", { disableNewAllocations: true, nodeSelector: "rack != 'a'" }), pool("rack-a", "10.244.128.0/24")]);
    assert.equal(main.change, "update");
    assert.match(main.effect, /no new address comes from it; pods in it keep theirs/);
    assert.match(main.effect, /only new addresses follow it/);
  });

  it("deletes a pool no longer declared, after the rest, and says the pods keep their addresses", () => {
    const changes = planPoolChanges(LIVE, [pool("rack-a", "10.244.128.0/24")]);
    assert.deepEqual(kinds(changes), ["rack-a:unchanged", "main:delete"]);
    assert.match(changes[1].effect, /disabled first.*keep their addresses until they restart/);
  });

  it("refuses a new block size and a new CIDR under the same name, with Calico's words", () => {
    const bigger = planPoolChanges(LIVE, [pool("main", "10.244.64.0/18", { blockSize: 24 }), pool("rack-a", "10.244.128.0/24")]);
    assert.equal(bigger[0].change, "refused");
    assert.match(bigger[0].effect, /IPPool BlockSize cannot be modified/);
    const moved = planPoolChanges(LIVE, [pool("main", "10.244.0.0/18"), pool("rack-a", "10.244.128.0/24")]);
    assert.equal(moved[0].change, "refused");
    assert.match(moved[0].effect, /IPPool CIDR cannot be modified.*stays 10\.244\.64\.0\/18/);
  });

  it("refuses a rename and a new pool overlapping a live one (created before the old goes)", () => {
    assert.match(planPoolChanges(LIVE, [pool("main2", "10.244.64.0/18"), pool("rack-a", "10.244.128.0/24")])[0].effect, /a rename/);
    const [wide] = planPoolChanges([live("default-ipv4-ippool", "192.168.0.0/16")], [pool("main", "192.168.0.0/18")]);
    assert.equal(wide.change, "refused");
    assert.match(wide.effect, /overlaps pool default-ipv4-ippool/);
  });

  it("stops at the first refusal: later pools and every deletion wait", () => {
    const changes = planPoolChanges(LIVE, [pool("main", "10.244.64.0/18", { blockSize: 24 }), pool("v2", "10.244.192.0/18")]);
    assert.deepEqual(kinds(changes), ["main:refused", "v2:blocked", "rack-a:blocked"]);
  });

  it("takes over a pool it did not create only when it matches exactly, and never deletes one", () => {
    const foreign = [live("main", "10.244.64.0/18", { ownedByOperator: false })];
    assert.deepEqual(kinds(planPoolChanges(foreign, [pool("main", "10.244.64.0/18")])), ["main:unchanged"]);
    const [main] = planPoolChanges(foreign, [pool("main", "10.244.64.0/18", { nodeSelector: "rack == 'a'" })]);
    assert.equal(main.change, "refused");
    assert.match(main.effect, /not created by the operator/);
    assert.deepEqual(kinds(planPoolChanges([live("manual", "10.10.0.0/16", { ownedByOperator: false })], [])), []);
  });

  it("reads a crd.projectcalico.org/v1 IPPool as the operator compares it", () => {
    const object: IPPoolObject = {
      metadata: { name: "main", labels: { "app.kubernetes.io/managed-by": "tigera-operator" } },
      spec: { cidr: "10.244.64.0/18", blockSize: 26, vxlanMode: "CrossSubnet", ipipMode: "Never", natOutgoing: true, nodeSelector: "all()", disabled: true },
    };
    assert.deepEqual(livePool(object), live("main", "10.244.64.0/18", { disabled: true }));
  });

  describe("under mocks, from the pools in the cluster at the start of the run", () => {
    const running = [live("main", "10.244.64.0/18")];
    const poolsConfig = (more: object) => JSON.stringify([{ name: "main", cidr: "10.244.64.0/18", ...more }]);
    const raw = (more: object) => ({ allowedCidrs: "127.0.0.1/32", podCidr: "10.244.0.0/16", pools: poolsConfig(more) });

    it("says in poolChanges what an accepted change does", async () => {
      const lab = await buildLabForTest(raw({ nodeSelector: "rack == 'a'" }), fakeDeps({ readLivePools: async () => running }));
      const changes = (await valueOf(lab.outputs.poolChanges)) as { pool: string; change: string; effect: string }[];
      assert.deepEqual(kinds(changes), ["main:update"]);
      assert.match(changes[0].effect, /only new addresses follow it/);
      const installation = lab.one("kubernetes:operator.tigera.io/v1:Installation");
      assert.equal((installation.inputs.spec as { calicoNetwork: { ipPools: { nodeSelector: string }[] } }).calicoNetwork.ipPools[0].nodeSelector, "rack == 'a'");
    });

    it("stops before the Installation changes when the operator would refuse, with Calico's reason", async () => {
      await assert.rejects(buildLabForTest(raw({ blockSize: 24 }), fakeDeps({ readLivePools: async () => running })), (err: unknown) => {
        // Raised while the Installation's inputs are serialized: the SDK prefixes the message but keeps the
        // error itself (sdk/nodejs runtime/rpc.ts serializeProperties), so Pulumi still prints no stack.
        assert.ok(err instanceof pulumi.RunError, `a ${(err as Error).constructor.name}: pulumi would print a stack trace`);
        assert.match(err.message, /calico-ipam:pools \(or, for the lab's one pool, podCidr and blockSize\): the Tigera operator would refuse this change.*\n {2}- pool main \(10\.244\.64\.0\/18\): .*IPPool BlockSize cannot be modified/s);
        return true;
      });
      assert.ok(!declared.some((r) => r.type === "kubernetes:operator.tigera.io/v1:Installation"), "the Installation is never sent");
    });

    it("plans every pool as new on a cluster without Calico yet", async () => {
      const missing = async () => {
        throw new KubeReadError("not-found", "Calico CRDs not found");
      };
      const lab = await buildLabForTest(raw({}), fakeDeps({ readLivePools: missing }));
      assert.deepEqual(kinds((await valueOf(lab.outputs.poolChanges)) as { pool: string; change: string }[]), ["main:create"]);
    });
  });
});
