// The README's IPAM experiment recipes, as typed there, built under mocks: the objects each one
// declares, in which order they reach the cluster, and what each change does to a running lab
// (replace the cluster, or update in place).
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { parseLabConfig, type RawConfig } from "../../lib/config";
import { planPoolChanges, type LivePool } from "../../lib/calico/pool-changes";
import { buildLabForTest, BuiltLab, bashSingleQuotedValue, calls, DeclaredResource, dependencyKeys, fakeDeps, unwrapSecrets, valueOf } from "../support/lab-harness";
import { declared, MOCK_KUBECONFIG, setPreview } from "../support/mocks";
import { readmeRecipes, recipe, recipeSteps } from "../support/readme-recipes";
import type { WorkloadQuery } from "../../lib/ipam/workloads";

const BASE: RawConfig = { allowedCidrs: "127.0.0.1/32" };
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const IPAM_CONFIGURATION = "kubernetes:projectcalico.org/v3:IPAMConfigurationPatch";
const NODE_PATCH = "kubernetes:core/v1:NodePatch";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const DAEMONSET = "kubernetes:apps/v1:DaemonSet";

const recipes = readmeRecipes();
const [r1, r2, r3, r4, r5, dual] = ["1.", "2.", "3.", "4.", "5.", "Dual-stack"].map((p) => recipe(recipes, p));
// Replayed as the Pulumi CLI stores each line (a line the CLI refuses fails the suite's first hook).
let r3Steps: RawConfig[];
let r4Steps: RawConfig[];
let r5Steps: RawConfig[];

type Inputs = Record<string, unknown>;
const inputs = (r: DeclaredResource): Inputs => unwrapSecrets(r.inputs) as Inputs;

function deployment(lab: BuiltLab, name: string): { metadata: Inputs; spec: { replicas: number; template: { metadata: { annotations?: Record<string, string>; labels: Record<string, string> }; spec: Inputs } } } {
  const found = lab.ofType(DEPLOYMENT).map(inputs).filter((d) => (d.metadata as { name: string }).name === name);
  assert.equal(found.length, 1, `one Deployment ${name}`);
  return found[0] as never;
}

function installationPools(lab: BuiltLab): Inputs[] {
  return (inputs(lab.one("kubernetes:operator.tigera.io/v1:Installation")).spec as { calicoNetwork: { ipPools: Inputs[] } }).calicoNetwork.ipPools;
}

function kindConfig(lab: BuiltLab): { networking: Inputs; nodes: { role: string; labels?: Record<string, string> }[] } {
  const deploy = inputs(lab.one("command:remote:Command", "cluster-deploy"));
  return parse(bashSingleQuotedValue(deploy.create as string, "KIND_CONFIG"));
}

const triggersOf = (lab: BuiltLab): unknown => lab.one("command:remote:Command", "cluster-deploy").inputs.triggers;


describe("IPAM experiments (README recipes, under mocks)", () => {
  let defaultLab: BuiltLab;
  before(async () => {
    r3Steps = recipeSteps(r3, BASE);
    r4Steps = recipeSteps(r4, r3Steps[r3Steps.length - 1]);
    r5Steps = recipeSteps(r5, r4Steps[r4Steps.length - 1]);
    defaultLab = await buildLabForTest(BASE);
  });

  it("the default lab declares no experiment objects and reads no workloads", () => {
    for (const type of [DEPLOYMENT, IPAM_CONFIGURATION, NODE_PATCH]) assert.deepEqual(defaultLab.ofType(type), [], type);
    assert.deepEqual(calls, ["waitForCalico", "readIpamState"]);
  });

  it("recipe 1: a pinned pause Deployment that never blocks pulumi up, read after Calico and before the IPAM read", async () => {
    const queries: WorkloadQuery[][] = [];
    const deps = fakeDeps({
      readWorkloads: async (_k, q) => {
        calls.push("readWorkloads");
        queries.push(q);
        return [];
      },
    });
    const lab = await buildLabForTest(recipeSteps(r1, BASE)[0], deps);
    const fill = deployment(lab, "fill");
    assert.equal(fill.spec.replicas, 70);
    assert.equal((fill.metadata.annotations as Record<string, string>)["pulumi.com/skipAwait"], "true");
    assert.deepEqual(fill.spec.template.spec.nodeSelector, { "kubernetes.io/hostname": "calico-ipam-worker" });
    const [container] = fill.spec.template.spec.containers as { image: string }[];
    assert.match(container.image, /^registry\.k8s\.io\/pause:3\.10@sha256:[0-9a-f]{64}$/);
    assert.equal(fill.metadata.namespace, "default");
    assert.deepEqual(lab.ofType(NAMESPACE).map((n) => (inputs(n).metadata as { name: string }).name), ["calico-ipam"], "default is not created");
    // Calico first (the pods need the CNI), then the workloads' pods, then the IPAM read that shows their blocks.
    assert.deepEqual(calls, ["waitForCalico", "readWorkloads", "readIpamState"]);
    assert.deepEqual(queries[0].map((q) => [q.name, q.namespace, q.replicas]), [["fill", "default", 70]]);
    assert.equal(queries[0][0].template, fill.spec.template.metadata.labels["calico-ipam/template"]);
    assert.deepEqual(triggersOf(lab), triggersOf(defaultLab), "a workload never touches the cluster");
  });

  // A Patch, not a CustomResource: Calico creates `default` itself (libcalico-go/lib/ipam/ipam.go
  // GetIPAMConfig, v3.30.7) before the lab can, and the kubernetes provider creates plain resources
  // with a create that fails on AlreadyExists but server-side applies Patch resources
  // (pulumi-kubernetes provider/pkg/await/await.go Creation, PR #4278; read at v4.32.0-27-g94977969d,
  // the newest snapshot: the v4.34.2 tag is not in it). A v3 kind unknown to the provider's discovery
  // cache is looked up again (provider/pkg/clients/clients.go ResourceClient: RESTMapper.Reset).
  it("recipe 2: the IPAMConfiguration (projectcalico.org/v3, after Calico is ready) before the pods, which start after the probe", async () => {
    const lab = await buildLabForTest(recipeSteps(r2, BASE)[0]);
    const config = lab.one(IPAM_CONFIGURATION);
    assert.deepEqual(inputs(config).spec, { strictAffinity: false, maxBlocksPerHost: 1 });
    assert.equal((inputs(config).metadata as { name: string }).name, "default");
    const fill = lab.ofType(DEPLOYMENT)[0];
    const fillAfter = await dependencyKeys(fill);
    // The probe's pods hold their node's first addresses before 70 pods pinned to one node ask for them.
    for (const key of [`${IPAM_CONFIGURATION}::${config.name}`, `${DAEMONSET}::ipam-probe`]) assert.ok(fillAfter.includes(key), `${key} in ${fillAfter}`);
    // Not after the probe: a probe waiting on a block limit must not hold back the change that raises it.
    const configAfter = await dependencyKeys(config);
    assert.ok(configAfter.includes("kubernetes:operator.tigera.io/v1:APIServer::calico-apiserver"), configAfter.join());
    assert.ok(!configAfter.includes(`${DAEMONSET}::ipam-probe`), configAfter.join());
    assert.ok(declared.indexOf(lab.resources.find((r) => r.name === config.name)!) < declared.findIndex((r) => r.type === DEPLOYMENT));
    assert.deepEqual(triggersOf(lab), triggersOf(defaultLab), "ipamConfig never touches the cluster");
  });

  it("recipe 3: one small pool, strict affinity off, then on with a rollout that restarts the pods", async () => {
    const borrow = await buildLabForTest(r3Steps[0]);
    const strict = await buildLabForTest(r3Steps[1]);
    assert.deepEqual(installationPools(borrow).map((p) => [p.name, p.cidr, p.blockSize]), [["tiny", "10.244.0.0/26", 28]]);
    assert.equal(kindConfig(borrow).networking.podSubnet, "10.244.0.0/16");
    assert.notDeepEqual(triggersOf(borrow), triggersOf(defaultLab), "a new podCidr replaces the cluster");
    assert.deepEqual(inputs(strict.one(IPAM_CONFIGURATION)).spec, { strictAffinity: true, maxBlocksPerHost: 0 });
    const before = deployment(borrow, "fill").spec.template;
    const after = deployment(strict, "fill").spec.template;
    assert.equal(after.metadata.annotations?.["calico-ipam/rollout"], "1");
    assert.deepEqual(after.spec.nodeSelector, before.spec.nodeSelector, "the rest of the workload as it was");
    assert.equal(deployment(strict, "fill").spec.replicas, 36);
    assert.notEqual(after.metadata.labels["calico-ipam/template"], before.metadata.labels["calico-ipam/template"], "a new pod template: the pods restart");
    assert.deepEqual(triggersOf(strict), triggersOf(borrow), "strictAffinity and a rollout change the cluster in place");
  });

  it("recipe 4: labelled workers (kind config and node patches), a pool per rack, a namespace pinned to a pool", async () => {
    const lab = await buildLabForTest(r4Steps[0]);
    assert.deepEqual(kindConfig(lab).nodes, [
      { role: "control-plane" }, { role: "worker", labels: { rack: "a" } }, { role: "worker", labels: { rack: "b" } },
    ]);
    assert.deepEqual(lab.ofType(NODE_PATCH).map((n) => inputs(n).metadata).map((m) => [(m as Inputs).name, (m as Inputs).labels]), [
      ["calico-ipam-worker", { rack: "a" }], ["calico-ipam-worker2", { rack: "b" }],
    ]);
    assert.deepEqual(installationPools(lab).map((p) => [p.name, p.cidr, p.nodeSelector]), [
      ["main", "10.244.64.0/18", 'rack != "a"'], ["rack-a", "10.244.128.0/24", 'rack == "a"'],
    ]);
    const teamA = lab.ofType(NAMESPACE).map(inputs).find((n) => (n.metadata as Inputs).name === "team-a")!;
    assert.deepEqual((teamA.metadata as Inputs).annotations, { "cni.projectcalico.org/ipv4pools": '["rack-a"]', "calico-ipam/stack": "calico-ipam/dev" });
    assert.deepEqual(deployment(lab, "batch").spec.template.metadata.annotations, { "cni.projectcalico.org/ipv4pools": '["main"]' });
    assert.equal(deployment(lab, "api").spec.template.metadata.annotations, undefined, "api takes its namespace's pool");
    assert.equal(deployment(lab, "api").metadata.namespace, "team-a");
    const web = lab.ofType(DEPLOYMENT).find((d) => (inputs(d).metadata as Inputs).name === "web")!;
    const webAfter = await dependencyKeys(web);
    for (const patch of lab.ofType(NODE_PATCH)) assert.ok(webAfter.includes(`${NODE_PATCH}::${patch.name}`), `pods start on labelled nodes: ${webAfter}`);
    assert.deepEqual(lab.ofType(IPAM_CONFIGURATION), [], "config rm ipamConfig: Calico's own settings");
    assert.deepEqual(triggersOf(lab), triggersOf(await buildLabForTest(r3Steps[1])), "after recipe 3: pools, labels and namespaces in place");
  });

  it("recipe 4: changing a worker label's value relabels the running node, never a new cluster", async () => {
    const relabelled = await buildLabForTest({ ...r4Steps[0], workerLabels: '[{"rack": "b"}, {"rack": "a"}]' });
    const original = await buildLabForTest(r4Steps[0]);
    assert.deepEqual(triggersOf(relabelled), triggersOf(original));
    assert.deepEqual(inputs(relabelled.ofType(NODE_PATCH)[0]).metadata, { name: "calico-ipam-worker", labels: { rack: "b" }, annotations: { "pulumi.com/patchForce": "true" } });
  });

  it("recipe 5: disable the old pool, add the new one, roll one workload, then drop the old pool, all in place", async () => {
    const migrate = await buildLabForTest(r5Steps[0]);
    const cleanup = await buildLabForTest(r5Steps[1]);
    assert.deepEqual(installationPools(migrate).map((p) => [p.name, p.disableNewAllocations]), [["main", true], ["rack-a", false], ["main-v2", false]]);
    assert.equal(deployment(migrate, "web").spec.template.metadata.annotations?.["calico-ipam/rollout"], "1");
    assert.deepEqual(installationPools(cleanup).map((p) => p.name), ["rack-a", "main-v2"]);
    assert.deepEqual(deployment(cleanup, "batch").spec.template.metadata.annotations, { "cni.projectcalico.org/ipv4pools": '["main-v2"]' });
    // Every workload of recipe 4 is still there, as it was (only the fields the recipe changes differ).
    assert.deepEqual(cleanup.ofType(DEPLOYMENT).map(inputs).map((d) => [(d.metadata as Inputs).namespace, (d.metadata as Inputs).name, (d.spec as Inputs).replicas]), [
      ["default", "web", 6], ["team-a", "api", 3], ["team-a", "batch", 2],
    ]);
    assert.equal(deployment(cleanup, "web").spec.template.metadata.annotations?.["calico-ipam/rollout"], "1", "web is not restarted again");
    const r4Lab = await buildLabForTest(r4Steps[0]);
    assert.deepEqual(triggersOf(migrate), triggersOf(r4Lab));
    assert.deepEqual(triggersOf(cleanup), triggersOf(r4Lab));
  });

  it("recipes 3 -> 4 -> 5 in order: the operator accepts every pool change (none refused), as poolChanges says", () => {
    const asLive = (raw: RawConfig): LivePool[] => parseLabConfig(raw).pools.map((p) => ({
      name: p.name, cidr: p.cidr, blockSize: p.blockSize, nodeSelector: p.nodeSelector, encapsulation: p.encapsulation,
      natOutgoing: p.natOutgoing === "Enabled", disabled: p.disableNewAllocations, assignmentMode: p.assignmentMode, ownedByOperator: true,
    }));
    const plan = (from: RawConfig, to: RawConfig) => planPoolChanges(asLive(from), parseLabConfig(to).pools).map((c) => `${c.pool}:${c.change}`);
    assert.deepEqual(plan(r3Steps[1], r4Steps[0]), ["main:create", "rack-a:create", "tiny:delete"]);
    assert.deepEqual(plan(r4Steps[0], r5Steps[0]), ["main:update", "rack-a:unchanged", "main-v2:create"]);
    assert.deepEqual(plan(r5Steps[0], r5Steps[1]), ["rack-a:unchanged", "main-v2:unchanged", "main:delete"]);
  });

  it("dual-stack: kind's dual networking, an IPv6 pool with node IPv6 autodetection, and a new cluster", async () => {
    const lab = await buildLabForTest(recipeSteps(dual, BASE)[0]);
    const networking = kindConfig(lab).networking;
    assert.equal(networking.ipFamily, "dual");
    assert.equal(networking.podSubnet, "192.168.0.0/16,fd00:10:244::/56");
    assert.equal(networking.serviceSubnet, "10.96.0.0/16,fd00:10:96::/112");
    assert.deepEqual(installationPools(lab).map((p) => [p.name, p.cidr, p.blockSize, p.encapsulation, p.natOutgoing]), [
      ["default-ipv4-ippool", "192.168.0.0/16", 26, "VXLANCrossSubnet", "Enabled"],
      ["default-ipv6-ippool", "fd00:10:244::/56", 122, "None", "Disabled"],
    ]);
    const network = (inputs(lab.one("kubernetes:operator.tigera.io/v1:Installation")).spec as { calicoNetwork: Inputs }).calicoNetwork;
    assert.deepEqual(network.nodeAddressAutodetectionV6, { firstFound: true });
    assert.notDeepEqual(triggersOf(lab), triggersOf(defaultLab), "a new ipFamily replaces the cluster");
    const plans = (await valueOf(lab.outputs.ipPlan)) as { pool: string; blocks: string; poolAddresses: string }[];
    assert.deepEqual(plans.map((p) => [p.pool, p.blocks]), [["default-ipv4-ippool", "1024"], ["default-ipv6-ippool", (2n ** 66n).toString()]]);
    assert.equal(plans[1].poolAddresses, (2n ** 72n).toString());
  });

  it("every experiment object goes with the cluster on destroy, through the Calico component's provider", async () => {
    const lab = await buildLabForTest(r4Steps[0]);
    const objects = lab.resources.filter((r) => [DEPLOYMENT, NODE_PATCH, NAMESPACE].includes(r.type) || r.type === IPAM_CONFIGURATION);
    assert.ok(objects.length >= 7);
    for (const r of objects) {
      assert.ok((await valueOf(r.opts.deletedWith!.urn)).endsWith("::cluster-deploy"), r.name);
      assert.ok((await valueOf(r.opts.provider!.urn)).endsWith("::calico-k8s"), r.name);
    }
  });

  it("the IPv4 default lab's kind config is unchanged by all this (no replacement on upgrade)", () => {
    const config = kindConfig(defaultLab);
    assert.equal(config.networking.ipFamily, undefined);
    assert.deepEqual(config.nodes, [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }]);
  });

  describe("in a new stack's preview", () => {
    before(() => setPreview(true));
    after(() => setPreview(false));

    // Target existing: the kubeconfig, and so the provider, is known, while Calico's readiness is not
    // (the Installation does not exist yet). The provider's Check runs on every object then, and
    // refuses a Patch whose name is unknown (pulumi-kubernetes provider.go Check: "patch resources
    // require the `.metadata.name` field to be set"; an unknown reaches it as resource.Computed).
    it("on target existing, names every experiment object literally while Calico's readiness is unknown", async () => {
      const kubeconfig = MOCK_KUBECONFIG.replace("https://0.0.0.0:6443", "https://127.0.0.1:6443");
      const lab = await buildLabForTest({ target: "existing", kubeconfig, ...recipeSteps(r2, BASE)[0] });
      await assert.rejects(valueOf(lab.outputs.workloads, 300), /never resolved/, "Calico's readiness is unknown in this preview");
      assert.deepEqual(inputs(lab.one(IPAM_CONFIGURATION)).metadata, { name: "default", annotations: { "pulumi.com/patchForce": "true" } });
      assert.equal((inputs(lab.ofType(DEPLOYMENT)[0]).metadata as Inputs).name, "fill");
      assert.deepEqual(lab.ofType(NAMESPACE).map((n) => inputs(n).metadata), [{ name: "calico-ipam", annotations: { "calico-ipam/stack": "calico-ipam/dev" } }]);
      // Still after Calico: the resources behind its readiness stay dependencies.
      assert.ok((await dependencyKeys(lab.one(IPAM_CONFIGURATION))).includes("kubernetes:operator.tigera.io/v1:Installation::calico-installation"));
    });

    it("declares every experiment object without reading the cluster", async () => {
      const lab = await buildLabForTest(r4Steps[0]);
      assert.equal(lab.ofType(DEPLOYMENT).length, 3);
      assert.equal(lab.ofType(NODE_PATCH).length, 2);
      assert.deepEqual(calls, []);
      await assert.rejects(valueOf(lab.outputs.workloads, 300), /never resolved/);
    });
  });
});
