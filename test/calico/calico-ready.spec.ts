import { strict as assert } from "node:assert";
import { calicoNodesRunningSeconds, operatorRunningSeconds, readySecondsFrom, waitForCalicoReady, type CalicoProgress } from "../../lib/calico/ready";
import { KubeReadError } from "../../lib/core/kube";
import type { TigeraStatus } from "../../lib/calico/status";
import { fakeKubeconfig, loadFixture, loadFixtureItems, PATHS, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";

/** A clock that only moves when the code under test sleeps. */
function fakeClock(onSleep: (sleeps: number) => void = () => undefined) {
  const clock = { t: 1_000_000, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
      onSleep(clock.sleeps.length);
    },
  };
}

const WAITING = "Waiting for calico-apiserver deployment to become available";

function statuses(): TigeraStatus[] {
  return loadFixtureItems("tigerastatuses.json") as TigeraStatus[];
}

/** The fixture's apiserver, still rolling out. */
function apiserverProgressing(): TigeraStatus {
  const apiserver = statuses().find((s) => s.metadata?.name === "apiserver") as TigeraStatus;
  apiserver.status = {
    conditions: [
      { type: "Available", status: "False", reason: "ResourceNotReady", message: "", lastTransitionTime: "2025-11-24T00:20:04Z" },
      { type: "Progressing", status: "True", reason: "ResourceNotReady", message: WAITING, lastTransitionTime: "2025-11-24T00:20:04Z" },
      { type: "Degraded", status: "False", reason: "ResourceNotReady", message: "", lastTransitionTime: "2025-11-24T00:20:04Z" },
    ],
  };
  return apiserver;
}

describe("waitForCalicoReady", () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("returns at once when calico and apiserver are Available, timed by the cluster's clock", async () => {
    const { clock, now, sleep } = fakeClock();
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep });
    // Installation default created 00:20:00; calico Available 00:22:45, apiserver 00:22:30.
    // The later of the two: 00:22:45 - 00:20:00 = 165 s.
    assert.equal(ready.timings.calicoReadySeconds, 165);
    assert.equal(ready.installationUid, "6b1c2d3e-0000-4000-8000-000000000031", "the install they count from");
    assert.deepEqual(clock.sleeps, []);
    assert.equal(ready.tigeraStatus.calico.available, true);
    assert.equal(ready.tigeraStatus.apiserver.degraded, false);
    // A second run (the next `pulumi up`) reports the same number.
    assert.equal((await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep })).timings.calicoReadySeconds, 165);
  });

  it("polls until the operator reports the components ready", async () => {
    // First poll: calico missing, apiserver progressing. Second: still progressing. Third: ready.
    server.setItems(PATHS.tigerastatuses, [apiserverProgressing()]);
    const { clock, now, sleep } = fakeClock((n) => {
      if (n === 2) server.setItems(PATHS.tigerastatuses, statuses());
    });
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, pollMs: 5000, timeoutMs: 60_000 });
    assert.deepEqual(clock.sleeps, [5000, 5000]);
    assert.equal(server.requests.filter((r) => r.path === PATHS.tigerastatuses).length, 3);
    // Not the 10 s waited here: the cluster's timestamps decide.
    assert.equal(ready.timings.calicoReadySeconds, 165);
  });

  it("waits only for the components asked for", async () => {
    server.setItems(PATHS.tigerastatuses, statuses().filter((s) => s.metadata?.name !== "apiserver"));
    const { clock, now, sleep } = fakeClock();
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { components: ["calico"], now, sleep });
    assert.deepEqual(clock.sleeps, []);
    assert.equal(ready.timings.calicoReadySeconds, 165);
  });

  it("times out naming each component and the operator's message", async () => {
    server.setItems(PATHS.tigerastatuses, [apiserverProgressing()]);
    const { clock, now, sleep } = fakeClock();
    await assert.rejects(waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, timeoutMs: 15 * 60_000 }), (err: Error) => {
      assert.equal(
        err.message,
        `Calico not ready after 15m: TigeraStatus "calico" not created yet by the operator; ` +
          `TigeraStatus "apiserver" is not Available (Progressing: "${WAITING}"); ` +
          `TigeraStatus "ippools" not created yet by the operator; see kubectl get tigerastatus`,
      );
      return true;
    });
    // 15 minutes of 5 s polls: 180 sleeps, and no more time than the timeout.
    assert.equal(clock.sleeps.length, 180);
    assert.equal(clock.sleeps.reduce((a, b) => a + b, 0), 15 * 60_000);
  });

  it("quotes the Degraded message when an available component is degraded", async () => {
    const list = statuses();
    const calico = list.find((s) => s.metadata?.name === "calico") as TigeraStatus;
    const degraded = calico.status?.conditions?.find((c) => c.type === "Degraded");
    Object.assign(degraded ?? {}, { status: "True", reason: "ResourceUpdateError", message: "Error updating IP pools: blockSize cannot be modified" });
    server.setItems(PATHS.tigerastatuses, list);
    const { now, sleep } = fakeClock();
    await assert.rejects(
      waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, timeoutMs: 90_000, pollMs: 30_000 }),
      {
        message:
          /^Calico not ready after 1m30s: TigeraStatus "calico" is Degraded \(Degraded: "Error updating IP pools: blockSize cannot be modified"\); see kubectl get tigerastatus$/,
      },
    );
  });

  it("keeps waiting while the operator's CRDs are not there yet, and says so at the end", async () => {
    server.failWith(PATHS.tigerastatuses, 404);
    const { clock, now, sleep } = fakeClock();
    await assert.rejects(
      waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, timeoutMs: 20_000 }),
      { message: /^Calico not ready after 20s: TigeraStatus could not be read \(Tigera operator CRDs not found: .*\); see kubectl get tigerastatus$/ },
    );
    assert.equal(clock.sleeps.length, 4);
  });

  it("fails at once when the user may not read TigeraStatus", async () => {
    server.failWith(PATHS.tigerastatuses, 403);
    const { clock, now, sleep } = fakeClock();
    await assert.rejects(
      waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep }),
      (err: unknown) => err instanceof KubeReadError && err.kind === "forbidden",
    );
    assert.deepEqual(clock.sleeps, []);
  });

  it("without an Installation, counts from the operator's first TigeraStatus", async () => {
    server.setInstallation(undefined);
    const { now, sleep } = fakeClock();
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep });
    // calico was created at 00:20:03, apiserver at 00:20:04: 00:22:45 - 00:20:03 = 162 s.
    assert.equal(ready.timings.calicoReadySeconds, 162);
  });
});

describe("waitForCalicoReady: current, complete, and saying what it waits for (issues 10 and 17)", () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const APISERVER_PATH = "/apis/operator.tigera.io/v1/apiservers/default";
  const withInstallationGeneration = (generation: number): void => {
    const installation = loadFixture("installation.json") as { metadata: { generation: number } };
    installation.metadata.generation = generation;
    server.setInstallation(installation);
  };

  it("does not take an Available from before the last Installation change for ready", async () => {
    // The fixture's conditions observed generation 2; the user's change made it 3.
    withInstallationGeneration(3);
    const { now, sleep } = fakeClock((n) => {
      if (n === 2) withInstallationGeneration(2);
    });
    const progress: CalicoProgress[] = [];
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, onProgress: (p) => progress.push(p) });
    assert.equal(ready.timings.calicoReadySeconds, 165);
    assert.deepEqual(progress[0].waitingFor, [
      'TigeraStatus "calico" is Available for an older Installation (generation 2, now 3): the operator has not applied the last change yet',
      'TigeraStatus "ippools" is Available for an older Installation (generation 2, now 3): the operator has not applied the last change yet',
    ]);
  });

  it("checks apiserver against the APIServer's own generation", async () => {
    server.setObject(APISERVER_PATH, { apiVersion: "operator.tigera.io/v1", kind: "APIServer", metadata: { name: "default", generation: 5 } });
    const { now, sleep } = fakeClock();
    await assert.rejects(waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, timeoutMs: 10_000 }), {
      message: /^Calico not ready after 10s: TigeraStatus "apiserver" is Available for an older APIServer \(generation 2, now 5\)/,
    });
  });

  it("waits for the ippools component too: ready never comes before the lab's pool", async () => {
    server.setItems(PATHS.tigerastatuses, statuses().filter((s) => s.metadata?.name !== "ippools"));
    const { now, sleep } = fakeClock();
    await assert.rejects(waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, timeoutMs: 10_000 }), {
      message: /TigeraStatus "ippools" not created yet by the operator/,
    });
  });

  it("reports progress when what it waits for changes, and every 30 s while it does not", async () => {
    server.setItems(PATHS.tigerastatuses, [apiserverProgressing()]);
    const { now, sleep } = fakeClock((n) => {
      if (n === 12) server.setItems(PATHS.tigerastatuses, statuses().filter((s) => s.metadata?.name !== "calico"));
      if (n === 14) server.setItems(PATHS.tigerastatuses, statuses());
    });
    const progress: CalicoProgress[] = [];
    await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, pollMs: 5000, onProgress: (p) => progress.push(p) });
    // Polls at 0, 5, ... 55 s see the same problems: reported at 0 and 30 s. At 60 s they change.
    assert.deepEqual(progress.map((p) => p.elapsedMs / 1000), [0, 30, 60]);
    assert.equal(progress[0].timeoutMs, 15 * 60_000);
    assert.deepEqual(progress[0].waitingFor, [
      'TigeraStatus "calico" not created yet by the operator',
      `TigeraStatus "apiserver" is not Available (Progressing: "${WAITING}")`,
      'TigeraStatus "ippools" not created yet by the operator',
    ]);
    assert.deepEqual(progress[2].waitingFor, ['TigeraStatus "calico" not created yet by the operator']);
  });

  it("reads the operator's and calico-node's start from the cluster, and leaves out what it cannot read", async () => {
    server.setObject("/api/v1/namespaces/tigera-operator/pods", {
      apiVersion: "v1", kind: "PodList", metadata: {},
      items: [{
        metadata: { name: "tigera-operator-1", creationTimestamp: "2025-11-24T00:19:10Z" },
        status: { conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2025-11-24T00:19:52Z" }] },
      }],
    });
    const calicoNode = (name: string, started: string) => ({
      metadata: { name, creationTimestamp: "2025-11-24T00:20:05Z" },
      status: { containerStatuses: [{ name: "calico-node", image: "quay.io/calico/node:v3.30.7", imageID: "", ready: true, restartCount: 0, state: { running: { startedAt: started } } }] },
    });
    server.setObject("/api/v1/namespaces/calico-system/pods", {
      apiVersion: "v1", kind: "PodList", metadata: {},
      items: [calicoNode("calico-node-a", "2025-11-24T00:21:02Z"), calicoNode("calico-node-b", "2025-11-24T00:21:40Z")],
    });
    const { now, sleep } = fakeClock();
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep });
    // Operator: 00:19:10 -> 00:19:52. Nodes: Installation 00:20:00 -> last calico-node 00:21:40.
    assert.deepEqual(ready.timings, { operatorRunningSeconds: 42, calicoNodesRunningSeconds: 100, calicoReadySeconds: 165 });

    server.setObject("/api/v1/namespaces/calico-system/pods", undefined);
    const partial = await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep });
    assert.deepEqual(partial.timings, { operatorRunningSeconds: 42, calicoReadySeconds: 165 });
  });
});

describe("stage timings from pods", () => {
  it("needs calico-node running on every node", () => {
    const running = { status: { containerStatuses: [{ name: "calico-node", state: { running: { startedAt: "2025-11-24T00:21:00Z" } } }] } };
    const waiting = { status: { containerStatuses: [{ name: "calico-node", state: {} }] } };
    assert.equal(calicoNodesRunningSeconds([running, waiting], "2025-11-24T00:20:00Z"), undefined);
    assert.equal(calicoNodesRunningSeconds([running, running], "2025-11-24T00:20:00Z"), 60);
    assert.equal(calicoNodesRunningSeconds([], "2025-11-24T00:20:00Z"), undefined);
  });

  it("leaves calicoReadySeconds out when a time is missing, never 0 s", () => {
    const available = (at?: string): TigeraStatus => ({
      metadata: { name: "calico", creationTimestamp: "2025-11-24T00:20:01Z" },
      status: { conditions: [{ type: "Available", status: "True", ...(at ? { lastTransitionTime: at } : {}) }] },
    } as TigeraStatus);
    const installation = { metadata: { creationTimestamp: "2025-11-24T00:20:00Z" } };
    assert.equal(readySecondsFrom([available("2025-11-24T00:22:45Z")], installation), 165);
    assert.equal(readySecondsFrom([available()], installation), undefined);
    assert.equal(readySecondsFrom([], installation), undefined);
  });

  it("ignores an operator pod that is not Ready", () => {
    assert.equal(operatorRunningSeconds([{ metadata: { creationTimestamp: "2025-11-24T00:19:10Z" }, status: { conditions: [{ type: "Ready", status: "False" }] } }]), undefined);
  });
});
