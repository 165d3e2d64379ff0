import { strict as assert } from "node:assert";
import { waitForCalicoReady } from "../../lib/calico/ready";
import { KubeReadError } from "../../lib/core/kube";
import type { TigeraStatus } from "../../lib/calico/status";
import { fakeKubeconfig, loadFixtureItems, PATHS, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";

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
    assert.equal(ready.readySeconds, 165);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(ready.tigeraStatus.calico.available, true);
    assert.equal(ready.tigeraStatus.apiserver.degraded, false);
    // A second run (the next `pulumi up`) reports the same number.
    assert.equal((await waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep })).readySeconds, 165);
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
    assert.equal(ready.readySeconds, 165);
  });

  it("waits only for the components asked for", async () => {
    server.setItems(PATHS.tigerastatuses, statuses().filter((s) => s.metadata?.name !== "apiserver"));
    const { clock, now, sleep } = fakeClock();
    const ready = await waitForCalicoReady(fakeKubeconfig(server.url), { components: ["calico"], now, sleep });
    assert.deepEqual(clock.sleeps, []);
    assert.equal(ready.readySeconds, 165);
  });

  it("times out naming each component and the operator's message", async () => {
    server.setItems(PATHS.tigerastatuses, [apiserverProgressing()]);
    const { clock, now, sleep } = fakeClock();
    await assert.rejects(waitForCalicoReady(fakeKubeconfig(server.url), { now, sleep, timeoutMs: 15 * 60_000 }), (err: Error) => {
      assert.equal(
        err.message,
        `Calico not ready after 15m: TigeraStatus "calico" not created yet by the operator; ` +
          `TigeraStatus "apiserver" is not Available (Progressing: "${WAITING}"); see kubectl get tigerastatus`,
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
    assert.equal(ready.readySeconds, 162);
  });
});
