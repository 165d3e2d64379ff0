// The README recipes' outcomes, computed from cluster data: a fake API server serves the state each
// recipe leaves (built the way Calico writes it), and the real readers turn it into the `workloads`
// and `ipam` outputs. The workloads come from the recipe's own config, as the program declares them.
import * as assert from "node:assert/strict";
import { parseLabConfig, type RawConfig } from "../../lib/config";
import { readLivePools, readWorkloads } from "../../lib/ipam/experiment-reader";
import { stateFromSnapshot } from "../../lib/ipam/reader";
import { labWorkloads, type WorkloadQuery } from "../../lib/ipam/workloads";
import type { PodReport, WorkloadReport } from "../../lib/ipam/workload-report";
import { fakeKubeconfig, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";
import { FakeCluster } from "../support/fake-cluster";
import { readmeRecipes, recipe, recipeSteps } from "../support/readme-recipes";

const NODES = ["calico-ipam-control-plane", "calico-ipam-worker", "calico-ipam-worker2"];
const [CP, W1, W2] = NODES;
const BASE: RawConfig = { allowedCidrs: "127.0.0.1/32" };
const recipes = readmeRecipes();
const steps = (prefix: string, base = BASE): RawConfig[] => recipeSteps(recipe(recipes, prefix), base);
const r3 = steps("3.");
const r4 = steps("4.", r3[r3.length - 1]);
const r5 = steps("5.", r4[r4.length - 1]);

function queriesOf(raw: RawConfig): { config: ReturnType<typeof parseLabConfig>; q: Record<string, WorkloadQuery> } {
  const config = parseLabConfig(raw);
  return { config, q: Object.fromEntries(labWorkloads(config).map((w) => [w.query.name, w.query])) };
}

function podsOf(report: WorkloadReport[], name: string): PodReport[] {
  const found = report.find((w) => w.name === name);
  assert.ok(found, `no workload ${name} in the report`);
  return found.pods;
}

const count = <T>(items: T[], key: (t: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, t) => ({ ...acc, [key(t)]: (acc[key(t)] ?? 0) + 1 }), {});

describe("IPAM experiment outcomes, read from a fake API server", () => {
  let server: FakeApiServer;
  let kubeconfig: string;
  const read = (queries: WorkloadQuery[]) => readWorkloads(kubeconfig, queries, { settleMs: 0 });

  beforeEach(async () => {
    server = await startFakeApiServer();
    kubeconfig = fakeKubeconfig(server.url);
  });
  afterEach(() => server.close());

  it("recipe 1: 70 pods on the worker, in its two blocks; the ipam output shows the second block", async () => {
    const { config, q } = queriesOf(steps("1.")[0]);
    const cluster = new FakeCluster(NODES).pool(config.pools[0])
      .block("192.168.0.0/26", CP, 4).block("192.168.0.64/26", W1, 3).block("192.168.0.128/26", W2, 3).block("192.168.0.192/26", W1);
    for (let i = 0; i < 70; i++) cluster.pod(q.fill, `fill-7d9c-${i}`, W1, [i < 61 ? "192.168.0.64/26" : "192.168.0.192/26"]);
    cluster.serve(server);

    const pods = podsOf(await read([q.fill]), "fill");
    assert.equal(pods.length, 70);
    assert.deepEqual(count(pods, (p) => p.addresses[0].block ?? "none"), { "192.168.0.64/26": 61, "192.168.0.192/26": 9 });
    assert.ok(pods.every((p) => p.node === W1 && p.addresses[0].pool === "default-ipv4-ippool" && !p.addresses[0].borrowed));
    assert.deepEqual(new Set(pods.map((p) => p.addresses[0].reason)), new Set(["pool nodeSelector"]));
    assert.match(pods[0].addresses[0].why, /nodeSelector "all\(\)" selects node calico-ipam-worker/);
    const worker = stateFromSnapshot(cluster.snapshot()).ipam.nodes.find((n) => n.name === W1);
    assert.equal(worker?.blocks, 2);
  });

  it("recipe 2: past the block limit, pods report Calico's reason, not a hang", async () => {
    const { config, q } = queriesOf(steps("2.")[0]);
    assert.deepEqual(config.ipamConfig, { strictAffinity: false, maxBlocksPerHost: 1 });
    const cluster = new FakeCluster(NODES).pool(config.pools[0]).block("192.168.0.64/26", W1, 3);
    for (let i = 0; i < 61; i++) cluster.pod(q.fill, `fill-${i}`, W1, ["192.168.0.64/26"]);
    for (let i = 61; i < 70; i++) cluster.failingPod(q.fill, `fill-${i}`, W1, "cannot allocate new block due to per host block limit");
    cluster.serve(server);

    const [fill] = await read([q.fill]);
    assert.deepEqual([fill.withAddress, fill.withoutAddress], [61, 9]);
    const stuck = fill.pods.filter((p) => p.addresses.length === 0);
    assert.deepEqual(new Set(stuck.map((p) => p.problem)), new Set(["cannot allocate new block due to per host block limit"]));
  });

  it("recipe 3: borrowed addresses are marked with the block's node; the ipam output counts them; strict affinity says why pods wait", async () => {
    const [borrowRaw, strictRaw] = r3;
    const { config, q } = queriesOf(borrowRaw);
    const tiny = config.pools[0];
    const cluster = new FakeCluster(NODES).pool(tiny)
      .block("10.244.0.0/28", CP, 9).block("10.244.0.16/28", W1, 3).block("10.244.0.32/28", W2, 3).block("10.244.0.48/28", W1);
    for (let i = 0; i < 36; i++) {
      const block = i < 13 ? "10.244.0.16/28" : i < 29 ? "10.244.0.48/28" : i < 33 ? "10.244.0.32/28" : "10.244.0.0/28";
      cluster.pod(q.fill, `fill-${i}`, W1, [block]);
    }
    cluster.serve(server);
    const pods = podsOf(await read([q.fill]), "fill");
    const borrowed = pods.filter((p) => p.addresses[0].borrowed);
    assert.equal(borrowed.length, 7);
    assert.deepEqual(count(borrowed, (p) => p.addresses[0].blockNode ?? "none"), { [W2]: 4, [CP]: 3 });
    assert.equal(String(stateFromSnapshot(cluster.snapshot()).ipam.nodes.find((n) => n.name === W1)?.ipsBorrowed), "7");

    const strict = queriesOf(strictRaw).q.fill;
    assert.notEqual(strict.template, q.fill.template, "the rollout is a new template");
    const after = new FakeCluster(NODES).pool(tiny).block("10.244.0.16/28", W1, 3).block("10.244.0.48/28", W1);
    for (let i = 0; i < 29; i++) after.pod(strict, `fill-new-${i}`, W1, [i < 13 ? "10.244.0.16/28" : "10.244.0.48/28"]);
    const strictError = "failed to request IPv4 addresses: Assigned 0 out of 1 requested IPv4 addresses; No more free affine blocks and strict affinity enabled";
    for (let i = 29; i < 36; i++) after.failingPod(strict, `fill-new-${i}`, W1, strictError);
    after.unschedulablePod(q.fill, "fill-old", "0/3 nodes are available"); // an older template: not counted
    after.serve(server);
    const [report] = await read([strict]);
    assert.deepEqual([report.withAddress, report.withoutAddress], [29, 7]);
    assert.equal(report.pods.find((p) => p.addresses.length === 0)?.problem, strictError);
  });

  it("recipe 4: why each pod got its pool: nodeSelector by rack, the namespace's annotation, the pod's own", async () => {
    const { config, q } = queriesOf(r4[0]);
    const [main, rackA] = config.pools;
    const cluster = new FakeCluster(NODES).pool(main).pool(rackA)
      .namespace("team-a", { "cni.projectcalico.org/ipv4pools": '["rack-a"]' })
      .block("10.244.64.0/26", CP, 4).block("10.244.64.64/26", W2, 3).block("10.244.128.0/26", W1, 3).block("10.244.128.64/26", W2);
    for (let i = 0; i < 6; i++) cluster.pod(q.web, `web-${i}`, i % 2 ? W1 : W2, [i % 2 ? "10.244.128.0/26" : "10.244.64.64/26"]);
    for (let i = 0; i < 3; i++) cluster.pod(q.api, `api-${i}`, i ? W2 : W1, [i ? "10.244.128.64/26" : "10.244.128.0/26"]);
    for (let i = 0; i < 2; i++) cluster.pod(q.batch, `batch-${i}`, W2, ["10.244.64.64/26"], { "cni.projectcalico.org/ipv4pools": '["main"]' });
    cluster.serve(server);

    const report = await read([q.web, q.api, q.batch]);
    const summary = (name: string) => podsOf(report, name).map((p) => `${p.node}:${p.addresses[0].pool}:${p.addresses[0].reason}`);
    assert.deepEqual(new Set(summary("web")), new Set([`${W1}:rack-a:pool nodeSelector`, `${W2}:main:pool nodeSelector`]));
    assert.deepEqual(new Set(summary("api")), new Set([`${W1}:rack-a:namespace annotation`, `${W2}:rack-a:namespace annotation`]));
    assert.deepEqual(new Set(summary("batch")), new Set([`${W2}:main:pod annotation`]));
    assert.match(podsOf(report, "api")[0].addresses[0].why, /namespace team-a's cni.projectcalico.org\/ipv4pools annotation asks for \["rack-a"\]/);
    assert.match(podsOf(report, "web").find((p) => p.node === W1)!.addresses[0].why, /nodeSelector "rack == \\"a\\"" selects node calico-ipam-worker/);
  });

  it("recipe 5: after the migration, pods are in the new pool; a pod left in the deleted pool says so", async () => {
    const { config, q } = queriesOf(r5[1]);
    const [rackA, v2] = config.pools;
    const cluster = new FakeCluster(NODES).pool(rackA).pool(v2)
      .block("10.244.64.64/26", W2, 3) // main's block: main is gone, the probe still holds an address in it
      .block("10.244.192.0/26", W2, 1).block("10.244.128.0/26", W1, 3);
    for (let i = 0; i < 2; i++) cluster.pod(q.batch, `batch-${i}`, W2, ["10.244.192.0/26"], { "cni.projectcalico.org/ipv4pools": '["main-v2"]' });
    cluster.pod(q.web, "web-left-behind", W2, ["10.244.64.64/26"]);
    cluster.serve(server);

    const report = await read([q.batch, q.web]);
    assert.ok(podsOf(report, "batch").every((p) => p.addresses[0].pool === "main-v2" && p.addresses[0].reason === "pod annotation"));
    const [left] = podsOf(report, "web");
    assert.deepEqual([left.addresses[0].pool, left.addresses[0].reason, left.addresses[0].block], [null, "no pool", "10.244.64.64/26"]);
    assert.equal(stateFromSnapshot(cluster.snapshot()).ipam.orphanBlocks.length, 1, "npm run ipam shows the block outside every pool");
  });

  it("dual-stack: every pod has an IPv4 and an IPv6 address, each with its pool and block", async () => {
    const { config, q } = queriesOf(steps("Dual-stack")[0]);
    const [v4, v6] = config.pools;
    const cluster = new FakeCluster(NODES).pool(v4).pool(v6)
      .block("192.168.0.64/26", W1, 3).block("fd00:10:244:0:1::/122", W1, 1).block("192.168.0.128/26", W2, 3).block("fd00:10:244:0:2::/122", W2, 1);
    for (let i = 0; i < 4; i++) cluster.pod(q.web, `web-${i}`, i % 2 ? W2 : W1, i % 2 ? ["192.168.0.128/26", "fd00:10:244:0:2::/122"] : ["192.168.0.64/26", "fd00:10:244:0:1::/122"]);
    cluster.serve(server);

    const pods = podsOf(await read([q.web]), "web");
    assert.ok(pods.every((p) => p.addresses.length === 2));
    const first = pods.find((p) => p.node === W1)!;
    assert.deepEqual(first.addresses.map((a) => [a.pool, a.block]), [["default-ipv4-ippool", "192.168.0.64/26"], ["default-ipv6-ippool", "fd00:10:244:0:1::/122"]]);
    assert.equal(first.addresses[1].ip, "fd00:10:244:0:1::1");
    const state = stateFromSnapshot(cluster.snapshot());
    assert.deepEqual(state.blockAffinities.filter((a) => a.node === W1).map((a) => a.cidr), ["192.168.0.64/26", "fd00:10:244:0:1::/122"]);
  });

  it("reads the live pools as the operator compares them, for the preview's pool plan", async () => {
    const { config } = queriesOf(r4[0]);
    new FakeCluster(NODES).pool(config.pools[0]).pool(config.pools[1]).serve(server);
    const live = await readLivePools(kubeconfig);
    assert.deepEqual(live.map((p) => [p.name, p.nodeSelector, p.ownedByOperator]), [["main", 'rack != "a"', true], ["rack-a", 'rack == "a"', true]]);
  });
});

describe("the workloads read waits, but never for long", () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(() => server.close());

  const query: WorkloadQuery = { name: "web", namespace: "default", replicas: 2, template: "abc123" };

  it("polls until every pod has an address or a reason", async () => {
    const states = [
      new FakeCluster(NODES),
      new FakeCluster(NODES).block("192.168.0.64/26", W1, 3).pod(query, "web-0", W1, ["192.168.0.64/26"]),
      new FakeCluster(NODES).block("192.168.0.64/26", W1, 3).pod(query, "web-0", W1, ["192.168.0.64/26"]).failingPod(query, "web-1", W1, "the given pool (10.0.0.0/16) does not exist, or is not enabled"),
    ];
    states[0].serve(server);
    let polls = 0;
    const report = await readWorkloads(fakeKubeconfig(server.url), [query], {
      pollMs: 1,
      sleep: async () => {
        polls += 1;
        states[Math.min(polls, states.length - 1)].serve(server);
      },
    });
    assert.equal(polls, 2);
    assert.deepEqual([report[0].withAddress, report[0].withoutAddress], [1, 1]);
    assert.equal(report[0].pods[1].problem, "the given pool (10.0.0.0/16) does not exist, or is not enabled");
  });

  it("gives up at the deadline and reports the pods as they are", async () => {
    new FakeCluster(NODES).unschedulablePod(query, "web-0", "0/3 nodes are available: 3 Too many pods.").serve(server);
    let clock = 0;
    const report = await readWorkloads(fakeKubeconfig(server.url), [{ ...query, replicas: 3 }], {
      settleMs: 90_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    assert.equal(clock, 90_000, "stopped at the deadline");
    assert.deepEqual(report[0].pods.map((p) => p.problem), ["not scheduled: 0/3 nodes are available: 3 Too many pods."]);
  });
});
