// The IPAM probe stage of the `timings` output (issue 14): Installation created to the last probe pod
// Ready, by the cluster's clock; read over HTTP from the fake API server like the Calico stages.
import { strict as assert } from "node:assert";
import { ipamProbeReadySeconds, readIpamProbeTimings, type ProbePod } from "../../lib/ipam/probe-timing";
import { PROBE_NAME, PROBE_NAMESPACE } from "../../lib/ipam/probe";
import { fakeKubeconfig, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";

// The fixture's Installation was created at 00:20:00; Calico was Available at 00:22:45.
const INSTALLATION_CREATED = "2025-11-24T00:20:00Z";
const PROBE_PODS = `/api/v1/namespaces/${PROBE_NAMESPACE}/pods`;

/** A probe pod as the API serves it. */
function probePod(name: string, ready: string | undefined, extra: { deletionTimestamp?: string; app?: string } = {}): ProbePod {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: PROBE_NAMESPACE,
      labels: { "app.kubernetes.io/name": extra.app ?? PROBE_NAME, "app.kubernetes.io/part-of": "calico-ipam" },
      creationTimestamp: "2025-11-24T00:22:50Z",
      ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}),
    },
    status: {
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: "2025-11-24T00:22:50Z" },
        ready === undefined
          ? { type: "Ready", status: "False", lastTransitionTime: "2025-11-24T00:22:50Z" }
          : { type: "Ready", status: "True", lastTransitionTime: ready },
      ],
    },
  };
  return pod;
}

describe("ipamProbeReadySeconds", () => {
  it("counts from the Installation's creation to the last probe pod Ready", () => {
    const pods = [probePod("a", "2025-11-24T00:22:58Z"), probePod("b", "2025-11-24T00:23:04Z"), probePod("c", "2025-11-24T00:23:01Z")];
    // 00:23:04 - 00:20:00 = 184 s: after calicoReadySeconds (165), as the probe starts once Calico is ready.
    assert.equal(ipamProbeReadySeconds(pods, INSTALLATION_CREATED), 184);
  });

  it("has no value until every probe pod is Ready, or without pods or an Installation", () => {
    assert.equal(ipamProbeReadySeconds([probePod("a", "2025-11-24T00:22:58Z"), probePod("b", undefined)], INSTALLATION_CREATED), undefined);
    assert.equal(ipamProbeReadySeconds([], INSTALLATION_CREATED), undefined);
    assert.equal(ipamProbeReadySeconds([probePod("a", "2025-11-24T00:22:58Z")], undefined), undefined);
  });

  it("leaves out a pod on its way out (a rollout of the DaemonSet)", () => {
    const pods = [probePod("new", "2025-11-24T00:23:04Z"), probePod("old", undefined, { deletionTimestamp: "2025-11-24T00:23:00Z" })];
    assert.equal(ipamProbeReadySeconds(pods, INSTALLATION_CREATED), 184);
  });

  it("takes Dates as client-node hands them back", () => {
    const pod: ProbePod = { status: { conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date("2025-11-24T00:21:00Z") }] } };
    assert.equal(ipamProbeReadySeconds([pod], new Date(INSTALLATION_CREATED)), 60);
  });
});

describe("readIpamProbeTimings (fake API server)", () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("reads the probe's pods by label and the Installation, and reports the same value on every run", async () => {
    server.addList(PROBE_PODS, "v1", "PodList", [
      probePod("ipam-probe-h7k2p", "2025-11-24T00:22:58Z"),
      probePod("ipam-probe-m4w9s", "2025-11-24T00:23:04Z"),
      // Another pod in the namespace is not the probe.
      probePod("someone-else", "2025-11-24T00:40:00Z", { app: "other" }),
    ]);
    const first = await readIpamProbeTimings(fakeKubeconfig(server.url));
    assert.deepEqual(first, { ipamProbeReadySeconds: 184 });
    assert.deepEqual(await readIpamProbeTimings(fakeKubeconfig(server.url)), first);
    const listed = server.requests.filter((r) => r.path === PROBE_PODS);
    assert.equal(listed.length, 2);
  });

  it("leaves the stage out while a probe pod is not Ready", async () => {
    server.addList(PROBE_PODS, "v1", "PodList", [probePod("ipam-probe-h7k2p", "2025-11-24T00:22:58Z"), probePod("ipam-probe-m4w9s", undefined)]);
    assert.deepEqual(await readIpamProbeTimings(fakeKubeconfig(server.url)), {});
  });

  it("fails with the reader's error when the pods cannot be read (the component leaves the stage out)", async () => {
    server.failWith(PROBE_PODS, 403);
    await assert.rejects(readIpamProbeTimings(fakeKubeconfig(server.url)), /forbidden/);
  });
});
