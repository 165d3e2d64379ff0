// The IPAM part of the program under mocks: the probe, when the read happens, and what it exports.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseLabConfig } from "../../lib/config";
import { stackSummary } from "../../lib/ipam/stack-summary";
import { buildLabForTest, calls, dependencyKeys, fakeDeps, valueOf } from "../support/lab-harness";
import { declared } from "../support/mocks";
import { stateFromSnapshot } from "../../lib/ipam/reader";
import { loadFixtureItems } from "../support/fake-apiserver";
import type { IpamSnapshot } from "../../lib/ipam/types";

const DAEMONSET = "kubernetes:apps/v1:DaemonSet";

function fixtureState() {
  const snapshot = {
    ippools: loadFixtureItems("ippools.json"),
    ipamblocks: loadFixtureItems("ipamblocks.json"),
    blockaffinities: loadFixtureItems("blockaffinities.json"),
    nodes: loadFixtureItems("nodes.json"),
    tigerastatuses: loadFixtureItems("tigerastatuses.json"),
  } as IpamSnapshot;
  return stateFromSnapshot(snapshot);
}

describe("IPAM outputs (under mocks)", () => {
  it("runs a probe pod on every node, the control plane included, with nothing to exploit", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" });
    const probe = lab.one(DAEMONSET);
    const pod = (probe.inputs.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    assert.deepEqual(pod.tolerations, [{ operator: "Exists" }], "tolerates the control-plane taint");
    assert.equal(pod.automountServiceAccountToken, false);
    const [container] = pod.containers as { image: string; securityContext: Record<string, unknown> }[];
    assert.match(container.image, /^registry\.k8s\.io\/pause:/);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.equal((probe.inputs.metadata as { namespace: string }).namespace, "calico-ipam");
  });

  // The provider waits 10 minutes for a DaemonSet unless told otherwise (pulumi-kubernetes
  // await/daemonset.go, _defaultDaemonSetTimeout; pulumi.com/timeoutSeconds read by
  // metadata/overrides.go TimeoutDuration): a probe pod without an address must not hold `up` that long.
  it("bounds the provider's wait for the probe to 3 minutes", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" });
    const metadata = lab.one(DAEMONSET).inputs.metadata as { annotations: Record<string, string> };
    assert.deepEqual(metadata.annotations, { "pulumi.com/timeoutSeconds": "180" });
  });

  // Moving the probe into its own component changes its resources' parent, and so their URNs: without
  // the alias the engine would create "new" ones (upserting the live objects) and then delete the
  // "old" ones, and with them the probe's namespace in the cluster.
  it("keeps the probe's resources where a lab made before its own component has them (aliases to the old parent)", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" });
    for (const r of [lab.one(DAEMONSET), lab.one("kubernetes:core/v1:Namespace", "ipam-namespace")]) {
      const [alias] = r.opts.aliases as { parent: pulumi.Output<string> }[];
      assert.equal(await valueOf(alias.parent), "urn:pulumi:dev::calico-ipam::calico-ipam:ipam:Ipam::ipam", r.name);
      assert.match(await valueOf(r.opts.parent!.urn), /[:$]calico-ipam:ipam:IpamProbe::ipam-probe$/);
    }
  });

  it("without a probe, the workloads start once Calico is ready", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32", ipamProbe: "false", workloads: '[{"name": "web", "replicas": 2}]' });
    const after = await dependencyKeys(lab.one("kubernetes:apps/v1:Deployment"));
    assert.ok(after.includes("kubernetes:operator.tigera.io/v1:Installation::calico-installation"), after.join());
    assert.deepEqual(calls, ["waitForCalico", "readWorkloads", "readIpamState"]);
  });

  it("reads only once Calico is ready and the probe exists", async () => {
    let probeDeclaredAtRead = false;
    const deps = fakeDeps({
      readIpamState: async () => {
        calls.push("readIpamState");
        probeDeclaredAtRead = declared.some((r) => r.type === DAEMONSET);
        return fixtureState();
      },
    });
    await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, deps);
    assert.deepEqual(calls, ["waitForCalico", "readIpamState"]);
    assert.ok(probeDeclaredAtRead, "the read ran before the probe DaemonSet was created");
  });

  it("exports the cluster's state as read on this run", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, fakeDeps({ readIpamState: async () => fixtureState() }));
    const expected = fixtureState();
    assert.deepEqual(await valueOf(lab.outputs.blockAffinities), expected.blockAffinities);
    assert.deepEqual(await valueOf(lab.outputs.ipam), expected.ipam);
    assert.deepEqual(await valueOf(lab.outputs.tigeraStatus), expected.tigeraStatus);
    const pools = (await valueOf(lab.outputs.ipam)) as { pools: { cidr: string }[] };
    assert.ok(pools.pools.some((p) => p.cidr === "192.168.0.0/16"));
  });

  it("never fails the deployment when the cluster cannot be read: empty outputs instead", async () => {
    const deps = fakeDeps({
      readIpamState: async () => {
        throw new Error("cannot reach the Kubernetes API at https://127.0.0.10:6443 (ECONNREFUSED)");
      },
    });
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, deps);
    assert.deepEqual(await valueOf(lab.outputs.blockAffinities), []);
    assert.deepEqual(await valueOf(lab.outputs.ipam), { pools: [], blocks: [], orphanBlocks: [], nodes: [], check: null });
  });

  it("skips the probe when ipamProbe is false, and still reads after Calico", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32", ipamProbe: "false" });
    assert.deepEqual(lab.ofType(DAEMONSET), []);
    assert.deepEqual(calls, ["waitForCalico", "readIpamState"]);
  });

  it("adds the IPAM probe stage to timings, read once the probe DaemonSet is ready (issue 14)", async () => {
    let probeDeclared = false;
    const deps = fakeDeps({
      readIpamProbeTimings: async () => {
        calls.push("readIpamProbeTimings");
        probeDeclared = declared.some((r) => r.type === DAEMONSET);
        return { ipamProbeReadySeconds: 184 };
      },
    });
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, deps);
    const timings = (await valueOf(lab.outputs.timings)) as Record<string, number>;
    assert.equal(timings.ipamProbeReadySeconds, 184);
    assert.equal(timings.calicoReadySeconds, 142, "beside the Calico stages");
    assert.ok(probeDeclared, "read before the probe DaemonSet existed");
    assert.ok(calls.indexOf("readIpamProbeTimings") > calls.indexOf("waitForCalico"));
  });

  it("has no probe stage without a probe, and leaves it out when it cannot be read", async () => {
    let asked = false;
    const off = await buildLabForTest({ allowedCidrs: "127.0.0.1/32", ipamProbe: "false" }, fakeDeps({
      readIpamProbeTimings: async () => {
        asked = true;
        return { ipamProbeReadySeconds: 1 };
      },
    }));
    assert.equal("ipamProbeReadySeconds" in ((await valueOf(off.outputs.timings)) as object), false);
    assert.equal(asked, false);
    const failing = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, fakeDeps({
      readIpamProbeTimings: async () => {
        throw new Error("pods is forbidden");
      },
    }));
    const timings = (await valueOf(failing.outputs.timings)) as Record<string, number>;
    assert.equal("ipamProbeReadySeconds" in timings, false);
    assert.equal(timings.calicoReadySeconds, 142);
  });

  it("ends with a one-line summary of what was read, its cost and the clean-up", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, fakeDeps({ readIpamState: async () => fixtureState() }));
    assert.equal(await valueOf(lab.outputs.summary), stackSummary(parseLabConfig({}), fixtureState().ipam));
    assert.match((await valueOf(lab.outputs.summary)) as string, /^3 nodes; .*; cost about \$0\.18\/h; npm run destroy when done$/);
    assert.equal(await pulumi.isSecret(lab.outputs.summary), false);
    const unread = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, fakeDeps({
      readIpamState: async () => {
        throw new Error("cannot reach the Kubernetes API");
      },
    }));
    assert.match((await valueOf(unread.outputs.summary)) as string, /^IPAM not read on this run/);
  });

  it("fails the deployment when Calico never gets ready, with the operator's words", async () => {
    const deps = fakeDeps({
      waitForCalico: async () => {
        throw new Error('Calico not ready after 15m: TigeraStatus "apiserver" is not Available (Progressing: "Waiting for pods")');
      },
    });
    await assert.rejects(
      buildLabForTest({ allowedCidrs: "127.0.0.1/32" }, deps).then((lab) => valueOf(lab.outputs.timings)),
      /TigeraStatus "apiserver" is not Available/,
    );
  });
});
