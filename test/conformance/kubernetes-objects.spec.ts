// Issue 5, part 6: the Kubernetes objects of our own (the IPAM probe's Namespace and DaemonSet) are
// valid against the Kubernetes OpenAPI types, through kubernetes-models and @kubernetes/client-node
// (no schema by hand). And every Kubernetes object the program declares has a judge somewhere in
// this suite, so a new one cannot slip in unchecked.
import * as assert from "node:assert/strict";
import type { RawConfig } from "../../lib/config";
import { builtinProblems, isBuiltinKind } from "./support/builtin-objects";
import { assertNoProblems } from "./support/environment";
import { inputsOf, KubeObject, labArtifacts } from "./support/lab-artifacts";

/** Resource types that are not objects of ours: upstream manifests and the provider itself. */
const NOT_OURS = ["kubernetes:yaml/v2:ConfigFile", "pulumi:providers:kubernetes"];
/** Judged against the operator CRDs in calico-resources.spec.ts, and Calico's v3 API in projectcalico-v3.spec.ts. */
const JUDGED_BY_CRD = [
  "kubernetes:operator.tigera.io/v1:Installation", "kubernetes:operator.tigera.io/v1:APIServer",
  "kubernetes:projectcalico.org/v3:IPAMConfigurationPatch",
];
/** Every experiment key set, so each kind of object the experiments declare is judged. */
const EXPERIMENTS: RawConfig = {
  pools: JSON.stringify([{ name: "main", cidr: "192.168.0.0/18" }, { name: "rack-a", cidr: "192.168.64.0/24", nodeSelector: "rack == 'a'" }]),
  ipamConfig: '{"maxBlocksPerHost": 2}',
  workerLabels: '[{"rack": "a"}, {"lab.example/zone": "z2"}]',
  namespaces: '{"team-a": {"pools": ["rack-a"]}}',
  workloads: '[{"name": "web", "replicas": 3, "rollout": "1"}, {"name": "api", "namespace": "team-a", "replicas": 2, "pools": ["main"]}, {"name": "cp", "namespace": "batch", "replicas": 1, "node": "calico-ipam-control-plane"}]',
};

/** apiVersion and kind from a type token such as "kubernetes:apps/v1:DaemonSet" ("core/v1" is "v1"); a Patch is its object's kind. */
function typeMetaOf(type: string): { apiVersion: string; kind: string } {
  const [, groupVersion, kind] = type.split(":");
  return { apiVersion: groupVersion.replace(/^core\//, ""), kind: kind.replace(/Patch$/, "") };
}

/** Our objects as the API server receives them: type meta from the type token where inputs lack it. */
async function ourObjects(raw: RawConfig): Promise<{ type: string; name: string; object: KubeObject }[]> {
  const { lab } = await labArtifacts(raw);
  return lab.resources
    .filter((r) => r.type.startsWith("kubernetes:") && !NOT_OURS.includes(r.type) && !JUDGED_BY_CRD.includes(r.type))
    .map((r) => ({ type: r.type, name: r.name, object: { ...typeMetaOf(r.type), ...inputsOf(r) } }));
}

describe("conformance: our Kubernetes objects (Kubernetes OpenAPI types)", () => {
  for (const [title, raw] of [["target aws", {}], ["target local", { target: "local" }]] as [string, RawConfig][]) {
    it(`${title}: the probe's Namespace and DaemonSet are valid Kubernetes objects`, async () => {
      const objects = await ourObjects(raw);
      assert.deepEqual(objects.map((o) => o.type).sort(), ["kubernetes:apps/v1:DaemonSet", "kubernetes:core/v1:Namespace"]);
      for (const { type, name, object } of objects) assertNoProblems(`${type} ${name}`, builtinProblems(object));
    });
  }

  it("the experiments' namespaces, Deployments and node label patches are valid Kubernetes objects", async () => {
    const objects = await ourObjects(EXPERIMENTS);
    assert.deepEqual([...new Set(objects.map((o) => o.type))].sort(), [
      "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Namespace", "kubernetes:core/v1:NodePatch",
    ]);
    for (const { type, name, object } of objects) assertNoProblems(`${type} ${name}`, builtinProblems(object));
  });

  it("every Kubernetes object the program declares has a judge in this suite", async () => {
    const unjudged = [...(await ourObjects({})), ...(await ourObjects(EXPERIMENTS))].filter(({ object }) => !isBuiltinKind(object.apiVersion, object.kind));
    assert.deepEqual(unjudged.map((o) => o.type), [], "add these kinds to BUILTIN in support/builtin-objects.ts, or a CRD check");
  });

  // On a small valid DaemonSet of its own, so these hold whatever the program declares.
  describe("the checker itself", () => {
    const probe = (): KubeObject => {
      const labels = { app: "x" };
      const daemonSet: KubeObject = {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "x" },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "i" }] } } },
      };
      assert.deepEqual(builtinProblems(daemonSet), [], "the checker's own baseline is valid");
      return daemonSet;
    };
    const container = (ds: KubeObject) =>
      (ds.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];

    it("refuses an unknown field, naming it", () => {
      const ds = probe();
      Object.assign(container(ds), { imagePullPolicyy: "Always" });
      assert.deepEqual(builtinProblems(ds), [
        '/spec/template/spec/containers/0/imagePullPolicyy: unknown field (V1Container has no "imagePullPolicyy")',
      ]);
    });

    it("refuses a value outside an enum, and a missing required field", () => {
      const ds = probe();
      Object.assign(container(ds), { imagePullPolicy: "Sometimes" });
      delete (ds.spec as Record<string, unknown>).selector;
      const problems = builtinProblems(ds);
      assert.ok(problems.includes("/spec: must have required property selector"), problems.join("\n"));
      assert.ok(problems.some((p) => p.startsWith("/spec/template/spec/containers/0/imagePullPolicy: must be equal to one of the allowed values")), problems.join("\n"));
    });

    it("refuses a name the API server would", () => {
      const ds = probe();
      Object.assign(ds.metadata as object, { name: "IPAM_probe" });
      assert.deepEqual(builtinProblems(ds), ['/metadata/name: "IPAM_probe" is not a lowercase RFC 1123 subdomain']);
    });
  });
});
