// Target existing: the stack never takes over a namespace or Deployment it did not make. The provider
// would upsert one that is already there (upsertExistingObjects: pulumi-kubernetes await/await.go
// Creation) and the engine delete it later, a namespace with everything in it (await.go Deletion).
// Checked under mocks, then over the user's sequence of runs with the real reads against a fake API
// server that serves what the runs so far left in the cluster.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { buildLabForTest, fakeDeps, runLifecycleStep, unwrapSecrets, type LifecycleStep } from "../support/lab-harness";
import { declared, MOCK_KUBECONFIG, setLifecycle, setPreview } from "../support/mocks";
import { engine } from "../support/engine";
import { fakeKubeconfig, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";
import { inspectExistingCluster } from "../../lib/cluster/existing-cluster";
import { STACK_ANNOTATION, type FoundObject, type LabObject } from "../../lib/cluster/existing-objects";
import type { RawConfig } from "../../lib/config";
import type { LabDeps } from "../../lab";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ME = "calico-ipam/dev";

function refusal(says: RegExp): (err: Error) => boolean {
  return (err) => {
    assert.ok(pulumi.RunError.isInstance(err), `a ${err.constructor.name}: Pulumi would print a stack trace`);
    assert.match(err.message, says);
    return true;
  };
}

describe("target existing: objects the stack did not make (under mocks)", () => {
  const kubeconfig = MOCK_KUBECONFIG.replace("https://0.0.0.0:6443", "https://127.0.0.1:6443");
  const existing = (extra: RawConfig): RawConfig => ({ target: "existing", kubeconfig, ...extra });
  let asked: LabObject[];
  /** A cluster that has `found` (of whatever the lab asks about). */
  const cluster = (...found: FoundObject[]) =>
    fakeDeps({
      inspectCluster: async (_kubeconfig, objects) => {
        asked = objects;
        return { operatorInstalled: false, existing: found };
      },
    });

  it("refuses, before declaring anything, workloads in a namespace the user has", async () => {
    const config = existing({ workloads: '[{"name": "web", "replicas": 2}, {"name": "api", "namespace": "apps", "replicas": 2}]' });
    await assert.rejects(buildLabForTest(config, cluster({ kind: "Namespace", name: "apps" })),
      refusal(/\n {2}- calico-ipam:workloads\[1\]\.namespace: namespace apps is already in this cluster, not made by this stack: use a namespace that is not in the cluster yet/));
    assert.deepEqual(declared.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
  });

  it("refuses a Deployment the user has, and one another calico-ipam stack made", async () => {
    const config = existing({ workloads: '[{"name": "web", "replicas": 2}]' });
    await assert.rejects(buildLabForTest(config, cluster({ kind: "Deployment", namespace: "default", name: "web" })),
      refusal(/- calico-ipam:workloads\[0\]\.name: Deployment default\/web is already in this cluster, not made by this stack: give the workload a name of its own/));
    await assert.rejects(buildLabForTest(config, cluster({ kind: "Deployment", namespace: "default", name: "web", stack: "calico-ipam/prod" })),
      refusal(/Deployment default\/web is already in this cluster, made by the calico-ipam stack "calico-ipam\/prod"/));
  });

  it("refuses the probe's namespace when the user has one, naming ipamProbe; without the probe it is not asked for", async () => {
    await assert.rejects(buildLabForTest(existing({}), cluster({ kind: "Namespace", name: "calico-ipam" })),
      refusal(/- calico-ipam:ipamProbe: namespace calico-ipam is already in this cluster, not made by this stack: set calico-ipam:ipamProbe to false/));
    const lab = await buildLabForTest(existing({ ipamProbe: "false" }), cluster({ kind: "Namespace", name: "calico-ipam" }));
    assert.deepEqual(lab.ofType(NAMESPACE), []);
    assert.deepEqual(asked, []);
  });

  it("goes on where the objects are this stack's own, and marks every one it makes as its own", async () => {
    const config = existing({ workloads: '[{"name": "web", "replicas": 2}, {"name": "api", "namespace": "apps", "replicas": 2}]' });
    const lab = await buildLabForTest(config, cluster({ kind: "Namespace", name: "apps", stack: ME }, { kind: "Deployment", namespace: "apps", name: "api", stack: ME }));
    for (const r of [...lab.ofType(NAMESPACE), ...lab.ofType(DEPLOYMENT)]) {
      assert.equal((unwrapSecrets(r.inputs.metadata) as { annotations: Record<string, string> }).annotations[STACK_ANNOTATION], ME, r.name);
    }
  });

  it("with a stackId, marks its objects with it and refuses those of another lab of the same stack name", async () => {
    const config = existing({ stackId: "a1b2c3d4e5f6", workloads: '[{"name": "api", "namespace": "apps", "replicas": 2}]' });
    const lab = await buildLabForTest(config, cluster());
    for (const r of [...lab.ofType(NAMESPACE), ...lab.ofType(DEPLOYMENT)]) {
      assert.equal((unwrapSecrets(r.inputs.metadata) as { annotations: Record<string, string> }).annotations[STACK_ANNOTATION], `${ME}@a1b2c3d4e5f6`, r.name);
    }
    await assert.rejects(buildLabForTest(config, cluster({ kind: "Namespace", name: "apps", stack: `${ME}@0f0f0f0f0f0f` })),
      refusal(/namespace apps is already in this cluster, made by the calico-ipam stack "calico-ipam\/dev@0f0f0f0f0f0f"/));
    // An older lab of this stack, without the id, is not taken for this one either.
    await assert.rejects(buildLabForTest(config, cluster({ kind: "Namespace", name: "apps", stack: ME })),
      refusal(/its calico-ipam:stackId was not set: set it back \(npm run pulumi -- config rm calico-ipam:stackId\)/));
  });

  it("warns, naming the key, when a stack that writes to the cluster has no stackId", async () => {
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as { warn: (m: string) => Promise<void> }).warn = async (m: string) => void warnings.push(m);
    try {
      await buildLabForTest(existing({}), cluster());
      await buildLabForTest(existing({ stackId: "a1b2c3d4e5f6" }), cluster());
      await buildLabForTest(existing({ calicoInstall: "none" }), cluster());
    } finally {
      (pulumi.log as { warn: typeof original }).warn = original;
    }
    const about = warnings.filter((w) => w.includes("calico-ipam:stackId"));
    assert.equal(about.length, 1, about.join("\n"));
    assert.match(about[0], /^calico-ipam:stackId is not set: this stack marks what it makes in the cluster as "calico-ipam\/dev".* npm run pulumi -- config set calico-ipam:stackId /);
  });

  // Workloads default to `default`, which every cluster has and no stack made: the lab only uses it.
  it("never declares, or asks about, the default namespace", async () => {
    const lab = await buildLabForTest(existing({ workloads: '[{"name": "web", "replicas": 2}]' }), cluster({ kind: "Namespace", name: "default" }));
    assert.deepEqual(lab.ofType(NAMESPACE).map((n) => (n.inputs.metadata as { name: string }).name), ["calico-ipam"]);
    assert.deepEqual(asked.map((o) => `${o.kind} ${o.namespace ?? ""}/${o.name}`), ["Namespace /calico-ipam", "Deployment default/web"]);
  });
});

describe("target existing: each up against what the last one left, read over HTTP", function () {
  this.timeout(60_000);
  let server: FakeApiServer;
  let served: string[] = [];
  let deps: LabDeps;
  const runs = (extra: RawConfig): RawConfig => ({ target: "existing", kubeconfig: fakeKubeconfig(server.url), ...extra });

  /** The objects the engine's state says the last up applied, where the API server has them. */
  function serveState(): void {
    for (const path of served) server.setObject(path, undefined);
    served = [];
    const put = (path: string, object: unknown) => {
      server.setObject(path, object);
      served.push(path);
    };
    for (const r of engine.state.values()) {
      const inputs = unwrapSecrets(r.inputs) as { metadata?: { name: string; namespace?: string }; data?: unknown };
      const meta = inputs.metadata;
      if (r.type === NAMESPACE && meta) put(`/api/v1/namespaces/${meta.name}`, { apiVersion: "v1", kind: "Namespace", metadata: meta });
      if (r.type === DEPLOYMENT && meta) put(`/apis/apps/v1/namespaces/${meta.namespace}/deployments/${meta.name}`, { apiVersion: "apps/v1", kind: "Deployment", metadata: meta });
      if (r.type === "kubernetes:core/v1:ConfigMap" && meta) put(`/api/v1/namespaces/${meta.namespace}/configmaps/${meta.name}`, { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: inputs.data });
      if (r.name === "calico-tigera-operator") put("/api/v1/namespaces/tigera-operator", { apiVersion: "v1", kind: "Namespace", metadata: { name: "tigera-operator" } });
    }
  }

  async function up(extra: RawConfig): Promise<LifecycleStep> {
    await setPreview(false);
    const step = await runLifecycleStep(runs(extra), deps);
    serveState();
    return step;
  }

  before(async () => {
    server = await startFakeApiServer();
    // The user's own: a namespace and a Deployment in default.
    server.setObject("/api/v1/namespaces/apps", { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } });
    server.setObject("/apis/apps/v1/namespaces/default/deployments/legacy", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "legacy", namespace: "default" } });
    deps = fakeDeps({ inspectCluster: inspectExistingCluster });
    setLifecycle(true);
  });
  after(async () => {
    setLifecycle(false);
    await setPreview(false);
    await server.close();
  });

  it("creates its own namespace and workloads, and the second up finds them its own: nothing changes, nothing is refused", async () => {
    const config = { workloads: '[{"name": "web", "replicas": 2}, {"name": "api", "namespace": "team-b", "replicas": 2}]' };
    const first = await up(config);
    assert.ok(first.result.of("create").includes(`${NAMESPACE}::experiments-namespace-team-b`));
    const second = await up(config);
    assert.deepEqual([...second.result.of("create"), ...second.result.of("update"), ...second.result.of("replace"), ...second.result.deleted], []);
  });

  it("then refuses a workload in the user's namespace or named like the user's Deployment, and the state stays as it was", async () => {
    const before = [...engine.state.keys()];
    const bad = { workloads: '[{"name": "web", "replicas": 2}, {"name": "api", "namespace": "apps", "replicas": 2}, {"name": "legacy", "replicas": 1}]' };
    await assert.rejects(up(bad), refusal(/namespace apps is already in this cluster, not made by this stack[^]*Deployment default\/legacy is already in this cluster/));
    assert.deepEqual([...engine.state.keys()], before);
    // What the user has is untouched: still theirs, unmarked.
    assert.ok(server.requests.some((r) => r.path === "/api/v1/namespaces/apps"));
  });

  it("lets a removed workload's namespace go, and a later up may create it again", async () => {
    const without = await up({ workloads: '[{"name": "web", "replicas": 2}]' });
    assert.ok(without.result.deleted.includes(`${NAMESPACE}::experiments-namespace-team-b`));
    const again = await up({ workloads: '[{"name": "web", "replicas": 2}, {"name": "api", "namespace": "team-b", "replicas": 2}]' });
    assert.ok(again.result.of("create").includes(`${NAMESPACE}::experiments-namespace-team-b`));
  });
});
