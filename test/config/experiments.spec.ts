// The experiment keys: ipamConfig, workerLabels, namespaces and workloads, validated like every other
// key (all problems at once, each naming the key path, the bad value and what would be accepted).
import * as assert from "node:assert/strict";
import { parseLabConfig, RawConfig } from "../../lib/config";
import { onlyProblem } from "./problems";
import { RESERVED_NAMESPACES } from "../../lib/config/experiments";
import { PROBE_NAMESPACE } from "../../lib/ipam/probe";

const POOLS = JSON.stringify([
  { name: "main", cidr: "192.168.0.0/18" },
  { name: "rack-a", cidr: "192.168.64.0/24", nodeSelector: "rack == 'a'" },
]);

describe("config: IPAM experiments", () => {
  it("reads a full experiment", () => {
    const c = parseLabConfig({
      pools: POOLS,
      ipamConfig: '{"strictAffinity": true, "maxBlocksPerHost": "1"}',
      workerLabels: '[{"rack": "a", "lab.example/zone": "z1"}, {}]',
      namespaces: '{"team-a": {"pools": ["rack-a"]}}',
      workloads: '[{"name": "web", "namespace": "team-a", "replicas": "3"}, {"name": "fill", "replicas": 70, "node": "calico-ipam-worker", "pools": "main", "rollout": 2}]',
    });
    assert.deepEqual(c.ipamConfig, { strictAffinity: true, maxBlocksPerHost: 1 });
    assert.deepEqual(c.workerLabels, [{ rack: "a", "lab.example/zone": "z1" }, {}]);
    assert.deepEqual(c.namespaces, { "team-a": { pools: ["rack-a"] } });
    assert.deepEqual(c.workloads, [
      { name: "web", namespace: "team-a", replicas: 3, pools: [] },
      { name: "fill", namespace: "default", replicas: 70, pools: ["main"], node: "calico-ipam-worker", rollout: "2" },
    ]);
  });

  it("leaves IPAM configuration to Calico unless ipamConfig is set, and fills what is left out", () => {
    assert.equal(parseLabConfig({}).ipamConfig, undefined);
    assert.deepEqual(parseLabConfig({ ipamConfig: "{}" }).ipamConfig, { strictAffinity: false, maxBlocksPerHost: 0 });
  });

  it("keeps the IPAM probe's namespace among the reserved ones", () => {
    assert.ok(RESERVED_NAMESPACES.includes(PROBE_NAMESPACE));
  });

  const CASES: [string, RawConfig, string, ...string[]][] = [
    ["ipamConfig not an object", { ipamConfig: "[1]" }, "calico-ipam:ipamConfig", "expected an object", "maxBlocksPerHost"],
    ["ipamConfig misspelt field", { ipamConfig: '{"strictaffinity": true}' }, "calico-ipam:ipamConfig", "did you mean strictAffinity?"],
    ["ipamConfig strictAffinity not a boolean", { ipamConfig: '{"strictAffinity": "yes"}' }, "calico-ipam:ipamConfig.strictAffinity", '"yes"', "true (no borrowing) or false"],
    ["ipamConfig negative maxBlocksPerHost", { ipamConfig: '{"maxBlocksPerHost": -1}' }, "calico-ipam:ipamConfig.maxBlocksPerHost", "whole number", "20"],
    ["workerLabels not a list", { workerLabels: '{"rack": "a"}' }, "calico-ipam:workerLabels", "one map of labels per worker"],
    ["more workerLabels than workers", { workerLabels: '[{}, {}, {"rack": "c"}]' }, "calico-ipam:workerLabels", "3 entries", "calico-ipam:workers is 2"],
    ["a label the kubelet refuses", { workerLabels: '[{"node-role.kubernetes.io/worker": ""}]' }, "calico-ipam:workerLabels[0][\"node-role.kubernetes.io/worker\"]", "kubelet refuses", "lab.example/rack"],
    ["a label value with a space", { workerLabels: '[{"rack": "a b"}]' }, "calico-ipam:workerLabels[0].rack", "not a Kubernetes label value"],
    ["workerLabels on an existing cluster", { target: "existing", kubeconfigPath: "/k", workerLabels: '[{"rack": "a"}]' }, "calico-ipam:workerLabels", "target is \"existing\"", "kubectl label"],
    ["namespaces naming an unknown pool", { pools: POOLS, namespaces: '{"team-a": {"pools": ["rack-b"]}}' }, "calico-ipam:namespaces[\"team-a\"].pools", '"rack-b"', "main, rack-a"],
    ["namespaces with no pools", { namespaces: '{"team-a": {"pools": []}}' }, "calico-ipam:namespaces[\"team-a\"].pools", "list of pool names"],
    ["namespaces annotating kube-system", { namespaces: '{"kube-system": {"pools": ["default-ipv4-ippool"]}}' }, "calico-ipam:namespaces[\"kube-system\"]", "one of your own"],
    ["namespaces annotating default", { namespaces: '{"default": {"pools": ["default-ipv4-ippool"]}}' }, "calico-ipam:namespaces.default", "does not annotate"],
    ["a workload without a name", { workloads: '[{"replicas": 1}]' }, "calico-ipam:workloads[0]", "no name", '"web"'],
    ["a workload with too many replicas", { workloads: '[{"name": "web", "replicas": 501}]' }, "calico-ipam:workloads[0].replicas", "0 to 500"],
    ["a workload on a node the lab has not", { workloads: '[{"name": "web", "replicas": 1, "node": "worker3"}]' }, "calico-ipam:workloads[0].node", "calico-ipam-control-plane, calico-ipam-worker, calico-ipam-worker2"],
    ["a workload naming an unknown pool", { workloads: '[{"name": "web", "replicas": 1, "pools": ["nope"]}]' }, "calico-ipam:workloads[0].pools", '"nope"', "default-ipv4-ippool"],
    ["a workload in Calico's namespace", { workloads: '[{"name": "web", "replicas": 1, "namespace": "calico-system"}]' }, "calico-ipam:workloads[0].namespace", "one of your own"],
    ["two workloads of one name in one namespace", { workloads: '[{"name": "web", "replicas": 1}, {"name": "web", "replicas": 2}]' }, "calico-ipam:workloads", "two workloads named \"web\""],
    ["an experiment on a read-only stack", { target: "existing", kubeconfigPath: "/k", calicoInstall: "none", workloads: '[{"name": "web", "replicas": 1}]' }, "calico-ipam:workloads", 'calico-ipam:calicoInstall is "none"', "writes nothing"],
    ["a workload with a misspelt field", { workloads: '[{"name": "web", "replica": 1}]' }, "calico-ipam:workloads[0]", "did you mean replicas?"],
  ];
  for (const [name, raw, start, ...fragments] of CASES) {
    it(`reports ${name}`, () => onlyProblem(raw, start, ...fragments));
  }

  it("says what is wrong with a workload's namespace without a doubled \"is\"", () => {
    assert.equal(
      onlyProblem({ workloads: '[{"name": "web", "replicas": 1, "namespace": "kube-system"}]' }, "calico-ipam:workloads[0].namespace"),
      'calico-ipam:workloads[0].namespace is "kube-system": a namespace of Kubernetes, kind, Calico or the IPAM probe; use one of your own, such as "team-a"',
    );
    assert.equal(
      onlyProblem({ namespaces: '{"kube-system": {"pools": ["default-ipv4-ippool"]}}' }, "calico-ipam:namespaces"),
      'calico-ipam:namespaces["kube-system"]: "kube-system" is a namespace of Kubernetes, kind, Calico or the IPAM probe; use one of your own, such as "team-a"',
    );
  });

  it("checks workload nodes against the lab's own node names (labName, workers)", () => {
    const c = parseLabConfig({ labName: "lab", workers: "3", workloads: '[{"name": "web", "replicas": 1, "node": "lab-worker3"}]' });
    assert.equal(c.workloads[0].node, "lab-worker3");
  });
});
