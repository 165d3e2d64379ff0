// The user's sequence of runs, each judged against the state the previous `pulumi up` left: first
// preview, first up, a second preview and up, a new address, a new shell, an edited script, config
// changes and destroy. The engine's and providers' decisions are modelled in test/support/engine.ts
// (each rule cites its upstream source); what is asserted here is what the program declares, so a
// change that would make the engine delete or replace something shows up in `npm test`.
import * as assert from "node:assert/strict";
import type * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { fakeDeps, runLifecycleStep, valueOf, type LifecycleStep } from "../support/lab-harness";
import { setLifecycle, setPreview, MOCK_PUBLIC_IP } from "../support/mocks";
import { engine } from "../support/engine";
import type { RawConfig } from "../../lib/config";
import type { LabDeps } from "../../lab";

const COMMAND = "command:remote:Command";
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqNiD5GL/iCmAo2dxdo4NAWkXdlbB5xiQXezoUCPTnW me@laptop";
const PROVIDER = "pulumi:providers:kubernetes::calico-k8s";
const inCluster = (keys: string[]) => keys.filter((k) => k.startsWith("kubernetes:"));
const commands = (keys: string[]) => keys.filter((k) => k.startsWith("command:"));

async function preview(raw: RawConfig, deps?: LabDeps): Promise<LifecycleStep> {
  await setPreview(true);
  return runLifecycleStep(raw, deps);
}

async function up(raw: RawConfig, deps?: LabDeps): Promise<LifecycleStep> {
  await setPreview(false);
  return runLifecycleStep(raw, deps);
}

/** Runs `body` while the named step script reads back with an extra line, as after an edit. */
async function withEditedScript<T>(file: string, body: () => Promise<T>): Promise<T> {
  // lib/core/steps.ts reads the scripts through this function at every render.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeFs = require("node:fs") as { readFileSync: typeof fs.readFileSync };
  const original = nodeFs.readFileSync;
  const edited = ((path: fs.PathOrFileDescriptor, options?: unknown) => {
    const text = original(path, options as BufferEncoding);
    return typeof path === "string" && path.endsWith(`/${file}`) ? `${text}\n# edited\n` : text;
  }) as typeof fs.readFileSync;
  nodeFs.readFileSync = edited;
  try {
    return await body();
  } finally {
    nodeFs.readFileSync = original;
  }
}

describe("lifecycle on aws: each run a user makes, against what the last up left", function () {
  this.timeout(60_000);
  const config: RawConfig = {};
  let first: LifecycleStep;

  before(async () => {
    setLifecycle(true);
    await preview(config);
    first = await up(config);
  });
  after(async () => {
    setLifecycle(false);
    await setPreview(false);
  });

  it("first up creates everything and deletes nothing", () => {
    assert.deepEqual(first.result.deleted, []);
    assert.ok(first.result.of("create").length > 20);
    assert.deepEqual(first.result.of("same"), []);
  });

  it("a second preview and up change nothing, and preview the outputs the up then reports", async () => {
    const second = await preview(config);
    assert.deepEqual([...second.result.of("update"), ...second.result.of("replace"), ...second.result.deleted], []);
    // Known in the preview, with the values of the last up (calicoReadySeconds included).
    for (const name of ["kubeconfig", "timings", "sshCommand"]) {
      assert.deepEqual(await valueOf(second.lab.outputs[name]), await valueOf(first.lab.outputs[name]), name);
    }
    const again = await up(config);
    assert.deepEqual([...again.result.of("update"), ...again.result.of("replace"), ...again.result.deleted], []);
  });

  it("a new caller address adds its rules and deletes the old ones, and nothing dials or reaches the cluster first", async () => {
    const moved = fakeDeps({ detectPublicIp: async () => "127.0.0.20" });
    const plan = await preview(config, moved);
    assert.deepEqual(plan.result.of("create").sort(), [
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::host-api-127-0-0-20-32",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::host-ssh-127-0-0-20-32",
    ]);
    assert.deepEqual(plan.result.deleted.sort(), [
      `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::host-api-${MOCK_PUBLIC_IP.replace(/\./g, "-")}-32`,
      `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::host-ssh-${MOCK_PUBLIC_IP.replace(/\./g, "-")}-32`,
    ]);
    // The preview cannot reach the cluster from the new address: the kubeconfig stays unknown, so the
    // provider is not configured against it, and it is updated, never replaced (clusterIdentifier).
    await assert.rejects(valueOf(plan.lab.outputs.kubeconfig, 300), /never resolved/);
    assert.equal(plan.result.planned.get(PROVIDER)?.plan, "update");
    assert.deepEqual(plan.result.of("replace"), []);
    assert.deepEqual(commands([...plan.result.of("update"), ...plan.result.of("replace")]), []);

    const applied = await up(config, moved);
    assert.equal(applied.result.planned.get(PROVIDER)?.plan, "same");
    assert.deepEqual(inCluster([...applied.result.of("update"), ...applied.result.of("replace")]), []);
    assert.deepEqual(await valueOf(applied.lab.outputs.kubeconfig), await valueOf(first.lab.outputs.kubeconfig));
    await up(config); // back to the first address for the next steps
  });

  it("every SSH step waits for the SSH rules (a plain dependency: no input of a step changes with a rule)", async () => {
    const latest = await up(config);
    const rules = latest.lab.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    const ssh = rules.filter((r) => r.inputs.fromPort === 22).map((r) => r.name);
    assert.equal(ssh.length, 1);
    for (const step of latest.lab.ofType(COMMAND)) {
      const after = (step.opts.dependsOn as { __name?: string }[]).map((d) => engine.keysOf.get(d as never) ?? "");
      for (const rule of ssh) assert.ok(after.some((k) => k.endsWith(`::${rule}`)), `${step.name} does not wait for ${rule}`);
    }
  });

  it("a new login shell (another SSH_AUTH_SOCK) changes nothing, with the user's own key too", async () => {
    const userKey = { ...config, sshPublicKey: ED25519 };
    await up(userKey, fakeDeps({ sshAgentSocket: "/tmp/ssh-old/agent.7" }));
    const plan = await preview(userKey, fakeDeps({ sshAgentSocket: "/tmp/ssh-new/agent.42" }));
    assert.deepEqual([...plan.result.of("update"), ...plan.result.of("replace")], []);
    for (const step of plan.lab.ofType(COMMAND)) {
      assert.ok(!JSON.stringify(step.inputs).includes("/tmp/ssh-"), `${step.name} carries the agent socket into state`);
    }
    await up(config);
  });

  it("an edited common.sh updates only the steps that use it; the kubeconfig and the cluster stay as they are", async () => {
    await withEditedScript("common.sh", async () => {
      const plan = await preview(config);
      assert.deepEqual(plan.result.of("update").sort(), [`${COMMAND}::cluster-deploy`, `${COMMAND}::host-tools`, `${COMMAND}::host-wait-for-host`]);
      assert.deepEqual([...plan.result.of("replace"), ...plan.result.deleted], []);
      assert.deepEqual(await valueOf(plan.lab.outputs.kubeconfig), await valueOf(first.lab.outputs.kubeconfig));
      const applied = await up(config);
      // The deploy's update keeps the cluster and repeats the timing it saved.
      assert.deepEqual(await valueOf(applied.lab.outputs.timings), await valueOf(first.lab.outputs.timings));
    });
    await up(config);
  });

  it("an edited read-kubeconfig.sh updates that step and never replaces the cluster's objects", async () => {
    await withEditedScript("read-kubeconfig.sh", async () => {
      const plan = await preview(config);
      assert.ok(plan.result.of("update").includes(`${COMMAND}::cluster-kubeconfig`));
      assert.deepEqual([...plan.result.of("replace"), ...plan.result.deleted], []);
    });
    await up(config);
  });

  it("an edited downloads.sh runs again only the step that matches the host's tools (the user data is ignored)", async () => {
    await withEditedScript("downloads.sh", async () => {
      const plan = await preview(config);
      assert.deepEqual(plan.result.of("update"), [`${COMMAND}::host-tools`]);
      assert.deepEqual([...plan.result.of("replace"), ...plan.result.deleted], []);
    });
    await up(config);
  });

  it("calicoVersion updates the operator in place and the host's calicoctl; encapsulation only the Installation", async () => {
    const version = await preview({ ...config, calicoVersion: "v3.30.6" });
    // Triggered by the version: the step runs again and installs the matching calicoctl.
    assert.deepEqual(version.result.of("replace"), [`${COMMAND}::host-tools`]);
    assert.match(version.lab.one(COMMAND, "host-tools").inputs.create as string, /^CALICOCTL_VERSION='v3\.30\.6'$/m);
    assert.deepEqual(version.result.of("update").sort(), [
      "kubernetes:yaml/v2:ConfigFile::calico-operator-crds",
      "kubernetes:yaml/v2:ConfigFile::calico-tigera-operator",
    ]);
    const encapsulation = await preview({ ...config, encapsulation: "VXLAN" });
    assert.deepEqual(encapsulation.result.of("update"), ["kubernetes:operator.tigera.io/v1:Installation::calico-installation"]);
    assert.deepEqual(encapsulation.result.of("replace"), []);
  });

  it("kubernetesVersion builds a new cluster and installs the matching kubectl on the same host", async () => {
    const plan = await preview({ ...config, kubernetesVersion: "v1.34.3" });
    const replaced = plan.result.of("replace");
    assert.ok(replaced.includes(`${COMMAND}::cluster-deploy`));
    assert.ok(replaced.includes(`${COMMAND}::host-tools`));
    assert.match(plan.lab.one(COMMAND, "host-tools").inputs.create as string, /^KUBECTL_VERSION='v1\.34\.3'$/m);
    assert.deepEqual(replaced.filter((k) => k.startsWith("aws:") || k.includes("wait-for-host")), []);
  });

  it("podCidr replaces the cluster and everything in it, and nothing on the host", async () => {
    const plan = await preview({ ...config, podCidr: "10.244.0.0/16" });
    const replaced = plan.result.of("replace");
    assert.ok(replaced.includes(`${COMMAND}::cluster-deploy`));
    assert.ok(replaced.includes(`${COMMAND}::cluster-kubeconfig`));
    assert.ok(replaced.includes(PROVIDER));
    assert.deepEqual(inCluster(plan.result.of("update")), []);
    assert.ok(inCluster(replaced).length >= 5);
    assert.deepEqual(replaced.filter((k) => k.startsWith("aws:") || k.includes("host-")), []);
  });

  it("the host is gone: after a refresh the next up runs every SSH step again, on the new host", async () => {
    await up(config);
    // A refresh drops the terminated instance, and (deleteUnreachable) the objects of its cluster. The
    // steps stay: pulumi-command's Command has no Read, and pulumi-go-provider's default Read hands
    // the state back as it is (infer/resource.go, derivedResourceController.Read).
    for (const key of [...engine.state.keys()]) {
      if (key === "aws:ec2/instance:Instance::host-instance" || (key.startsWith("kubernetes:") && key !== PROVIDER)) engine.state.delete(key);
    }
    const rebuilt = await up(config);
    assert.equal(rebuilt.result.planned.get("aws:ec2/instance:Instance::host-instance")?.plan, "create");
    const steps = rebuilt.lab.ofType(COMMAND).map((step) => `${COMMAND}::${step.name}`);
    assert.ok(steps.length >= 3);
    for (const step of steps) assert.equal(rebuilt.result.planned.get(step)?.plan, "replace", step);
  });

  it("destroy dials nothing: the cluster goes with the instance, its objects with the cluster", async () => {
    await up(config);
    const state = [...engine.state.values()];
    const { deletes, skipped } = engine.destroy();
    const ranScripts = deletes.filter((key) => key.startsWith(COMMAND) && state.find((r) => `${r.type}::${r.name}` === key)?.inputs.delete);
    assert.deepEqual(ranScripts, []);
    assert.ok(skipped.includes(`${COMMAND}::cluster-deploy`));
    for (const key of state.map((r) => `${r.type}::${r.name}`).filter((k) => k.startsWith("kubernetes:"))) assert.ok(skipped.includes(key), key);
  });
});

describe("lifecycle on local: destroy still removes the cluster", function () {
  this.timeout(30_000);
  after(async () => {
    setLifecycle(false);
    await setPreview(false);
  });

  it("runs the cluster's delete step on destroy", async () => {
    setLifecycle(true);
    await up({ target: "local" });
    const { deletes } = engine.destroy();
    assert.ok(deletes.includes("command:local:Command::cluster-deploy"));
  });
});

describe("lifecycle on existing: what the stack owns is config, never inferred from the cluster", function () {
  this.timeout(30_000);
  const kubeconfig = `apiVersion: v1
kind: Config
current-context: lab
contexts:
- name: lab
  context: { cluster: lab, user: admin }
clusters:
- name: lab
  cluster: { server: "https://127.0.0.1:6443" }
users:
- name: admin
  user: { token: admin-token }
`;
  /** The cluster as the runs so far left it: what the engine's state says was applied to it. */
  const cluster = (userOperator: boolean) =>
    fakeDeps({
      inspectCluster: async () => {
        const record = engine.state.get("kubernetes:core/v1:ConfigMap::calico-owner");
        const data = record ? (JSON.parse(JSON.stringify(record.outputs.data)) as { stack: string; calicoInstall: "operator" | "installation" }) : undefined;
        return {
          operatorInstalled: userOperator || engine.state.has("kubernetes:yaml/v2:ConfigFile::calico-tigera-operator"),
          owner: data && { stack: data.stack, calicoInstall: data.calicoInstall },
        };
      },
    });
  const existing = (extra: RawConfig = {}): RawConfig => ({ target: "existing", kubeconfig, ...extra });

  beforeEach(() => setLifecycle(true));
  after(async () => {
    setLifecycle(false);
    await setPreview(false);
  });

  it("installs the operator on a bare cluster, and the second up keeps declaring it (nothing deleted)", async () => {
    const first = await up(existing(), cluster(false));
    assert.ok(first.result.of("create").includes("kubernetes:yaml/v2:ConfigFile::calico-tigera-operator"));
    // The second run finds the operator the first one installed: it must not stop declaring it.
    const second = await up(existing(), cluster(false));
    assert.deepEqual(second.result.deleted, []);
    assert.deepEqual([...second.result.of("update"), ...second.result.of("replace")], []);
  });

  it("refuses to drop to installation or none after installing the operator, naming the key", async () => {
    await up(existing(), cluster(false));
    for (const lower of ["installation", "none"]) {
      await assert.rejects(preview(existing({ calicoInstall: lower }), cluster(false)), (err: Error) => {
        assert.ok(pulumi.RunError.isInstance(err), "a RunError: Pulumi prints its message alone");
        assert.match(err.message, new RegExp(`calico-ipam:calicoInstall is "${lower}", but this stack installed Calico with "operator": the next up would delete the Tigera operator`));
        return true;
      });
    }
    const unchanged = await preview(existing(), cluster(false));
    assert.deepEqual([...unchanged.result.of("update"), ...unchanged.result.of("replace"), ...unchanged.result.deleted], []);
  });

  it("keeps the provider, and every object with it, when the kubeconfig changes (a new CA, address or token)", async () => {
    await up(existing(), cluster(false));
    const rotated = kubeconfig
      .replace('cluster: { server: "https://127.0.0.1:6443" }', 'cluster: { server: "https://127.0.0.2:6443", certificate-authority-data: Q0EtMg== }')
      .replace("token: admin-token", "token: rotated-token");
    const plan = await preview(existing({ kubeconfig: rotated }), cluster(false));
    // Without a clusterIdentifier, a new active cluster entry replaces the provider and, with it, the
    // operator's CRDs and every IP pool and block (pulumi-kubernetes provider.go DiffConfig).
    assert.equal(plan.result.planned.get(PROVIDER)?.plan, "update");
    assert.deepEqual([...plan.result.of("replace"), ...plan.result.deleted], []);
    const applied = await up(existing({ kubeconfig: rotated }), cluster(false));
    assert.deepEqual([...applied.result.of("replace"), ...applied.result.deleted], []);
  });

  it("gives a stack made before the cluster identifier one on its next up, replacing nothing", async () => {
    await up(existing(), cluster(false));
    delete engine.state.get(PROVIDER)!.inputs.clusterIdentifier;
    const plan = await preview(existing(), cluster(false));
    assert.equal(plan.result.planned.get(PROVIDER)?.plan, "update");
    assert.deepEqual(plan.result.planned.get(PROVIDER)?.changed, ["clusterIdentifier"]);
    assert.deepEqual([...plan.result.of("replace"), ...plan.result.deleted], []);
  });

  it("leaves a user's operator alone: operator is refused, installation manages only the lab's resources", async () => {
    await assert.rejects(up(existing(), cluster(true)), /calico-ipam:calicoInstall is "operator" \(the default\), but this cluster already runs a Tigera operator/);
    const first = await up(existing({ calicoInstall: "installation" }), cluster(true));
    assert.deepEqual(first.lab.ofType("kubernetes:yaml/v2:ConfigFile"), []);
    const second = await up(existing({ calicoInstall: "installation" }), cluster(true));
    assert.deepEqual([...second.result.of("update"), ...second.result.of("replace"), ...second.result.deleted], []);
  });
});

// The engine keeps them (test/support/engine.ts models it): pulumi pkg/resource/deploy/builtins.go,
// builtinProvider.Create sets a Stash's output to its input, Update records the new input and keeps the
// old output; step_generator.go replaces it when its replacementTrigger changes (shouldTriggerReplace)
// or a resource in its replaceWith list is replaced (diff). Both are in the engine since v3.208.0 and
// v3.207.0, below Pulumi.yaml's requiredPulumiVersion (3.260.0).
describe("lifecycle of timings: the cluster stages stay as first read for an install", function () {
  this.timeout(60_000);
  const CLUSTER_STAGES = ["operatorRunningSeconds", "calicoNodesRunningSeconds", "calicoReadySeconds", "ipamProbeReadySeconds"];
  const STASHES = ["pulumi:index:Stash::cluster-timings-first", "pulumi:index:Stash::cluster-timings-fill"];

  /** The cluster as this run reads it: the Installation's uid, and what its timestamps give now. */
  const cluster = (installationUid: string, stages: Record<string, number>) =>
    fakeDeps({
      waitForCalico: async () => ({
        timings: Object.fromEntries(Object.entries(stages).filter(([key]) => key !== "ipamProbeReadySeconds")),
        installationUid,
      }),
      readIpamProbeTimings: async () => ("ipamProbeReadySeconds" in stages ? { ipamProbeReadySeconds: stages.ipamProbeReadySeconds } : {}),
    });
  const clusterStages = async (step: LifecycleStep): Promise<Record<string, number>> => {
    const timings = (await valueOf(step.lab.outputs.timings)) as Record<string, number>;
    return Object.fromEntries(Object.entries(timings).filter(([key]) => CLUSTER_STAGES.includes(key)));
  };
  const FIRST = { operatorRunningSeconds: 21, calicoNodesRunningSeconds: 77, calicoReadySeconds: 142, ipamProbeReadySeconds: 151 };
  // A day later, after a calicoVersion upgrade and a reboot: Available went False and back, so the operator
  // moved its lastTransitionTime (tigera/operator v1.38.13 pkg/controller/status/status.go, statusManager.set),
  // and every pod restarted.
  const A_DAY_LATER = { operatorRunningSeconds: 35, calicoNodesRunningSeconds: 86_380, calicoReadySeconds: 86_400, ipamProbeReadySeconds: 86_410 };

  beforeEach(() => setLifecycle(true));
  after(async () => {
    setLifecycle(false);
    await setPreview(false);
  });

  it("keeps the first up's values when the cluster later reports others; a new cluster records its own", async () => {
    const first = await up({}, cluster("uid-1", FIRST));
    assert.deepEqual(await clusterStages(first), FIRST);

    const plan = await preview({}, cluster("uid-1", A_DAY_LATER));
    assert.deepEqual(await clusterStages(plan), FIRST, "the preview shows what the up will report");
    assert.deepEqual(plan.result.of("replace"), []);
    const later = await up({}, cluster("uid-1", A_DAY_LATER));
    assert.deepEqual(await clusterStages(later), FIRST);
    // The stash records the new reading as its input, and keeps its output (builtins.go, Update).
    assert.deepEqual(STASHES.map((key) => later.result.planned.get(key)?.plan), ["update", "update"]);
    assert.deepEqual(engine.state.get(STASHES[0])?.inputs.input, A_DAY_LATER);

    // podCidr replaces the cluster: the Installation is replaced, and the stashes with it (replaceWith).
    const rebuiltPlan = await preview({ podCidr: "10.244.0.0/16" }, cluster("uid-1", A_DAY_LATER));
    assert.deepEqual(STASHES.map((key) => rebuiltPlan.result.planned.get(key)?.plan), ["replace", "replace"]);
    const NEW_CLUSTER = { operatorRunningSeconds: 18, calicoNodesRunningSeconds: 64, calicoReadySeconds: 121, ipamProbeReadySeconds: 129 };
    const rebuilt = await up({ podCidr: "10.244.0.0/16" }, cluster("uid-2", NEW_CLUSTER));
    assert.deepEqual(await clusterStages(rebuilt), NEW_CLUSTER);
    const again = await up({ podCidr: "10.244.0.0/16" }, cluster("uid-2", A_DAY_LATER));
    assert.deepEqual(await clusterStages(again), NEW_CLUSTER);
  });

  it("records anew for an Installation the state does not see replaced (made again: a new uid)", async () => {
    await up({}, cluster("uid-1", FIRST));
    const remade = { operatorRunningSeconds: 21, calicoNodesRunningSeconds: 40, calicoReadySeconds: 95, ipamProbeReadySeconds: 99 };
    const step = await up({}, cluster("uid-3", remade));
    assert.deepEqual(STASHES.map((key) => step.result.planned.get(key)?.plan), ["replace", "replace"]);
    assert.deepEqual(await clusterStages(step), remade);
  });

  it("fills a stage the first reading lacked, once, and keeps every value after", async () => {
    const partial = { operatorRunningSeconds: 21, calicoReadySeconds: 142 };
    const first = await up({}, cluster("uid-1", partial));
    assert.deepEqual(await clusterStages(first), partial, "a stage that could not be read is left out, never 0");

    const filled = await up({}, cluster("uid-1", { ...FIRST, calicoReadySeconds: 600, calicoNodesRunningSeconds: 590, ipamProbeReadySeconds: 610 }));
    const expected = { operatorRunningSeconds: 21, calicoReadySeconds: 142, calicoNodesRunningSeconds: 590, ipamProbeReadySeconds: 610 };
    assert.deepEqual(await clusterStages(filled), expected);
    assert.deepEqual(STASHES.map((key) => filled.result.planned.get(key)?.plan), ["update", "replace"]);

    const later = await up({}, cluster("uid-1", A_DAY_LATER));
    assert.deepEqual(await clusterStages(later), expected);
    assert.deepEqual(STASHES.map((key) => later.result.planned.get(key)?.plan), ["update", "update"]);
  });
});
