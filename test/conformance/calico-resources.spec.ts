// Issue 5, part 1: the Installation and APIServer the program declares meet the operator CRDs of
// Calico v3.30.7 (strictly: a field the schema does not name never lands) and the operator's own
// rules. The objects come from the program run under mocks, for the default and a changed config.
import * as assert from "node:assert/strict";
import type { RawConfig } from "../../lib/config";
import { crdValidator, CrdValidator } from "./support/crd-schema";
import { assertNoProblems, missingUpstream, skipIfMissing, UPSTREAM, upstreamFile } from "./support/environment";
import { KubeObject, labArtifacts } from "./support/lab-artifacts";
import { operatorProblems } from "./support/operator-rules";

const CONFIGS: [string, RawConfig][] = [
  ["the default config", {}],
  ["blockSize 24, encapsulation VXLAN", { blockSize: "24", encapsulation: "VXLAN" }],
  ["target local", { target: "local" }],
];

function poolOf(installation: KubeObject): Record<string, unknown> {
  const spec = installation.spec as { calicoNetwork: { ipPools: Record<string, unknown>[] } };
  return spec.calicoNetwork.ipPools[0];
}

describe("conformance: Calico operator resources (operator.tigera.io/v1 CRDs)", function () {
  let installations: CrdValidator;
  let apiServers: CrdValidator;

  before(function () {
    skipIfMissing(this, missingUpstream(UPSTREAM.operatorCrd("installations"), UPSTREAM.operatorCrd("apiservers")));
    this.timeout(60_000); // the Installation CRD is 1.4 MB of schema to compile
    installations = crdValidator(upstreamFile(UPSTREAM.operatorCrd("installations")));
    apiServers = crdValidator(upstreamFile(UPSTREAM.operatorCrd("apiservers")));
    for (const v of [installations, apiServers]) {
      if (v.celRules > 0) console.log(`      note: ${v.celRules} CEL rules (x-kubernetes-validations) in the ${v.kind} CRD are not evaluated`);
    }
  });

  for (const [title, raw] of CONFIGS) {
    it(`Installation for ${title} meets the CRD and the operator's rules`, async () => {
      const { installation } = await labArtifacts(raw);
      assertNoProblems(`Installation (${title})`, [...installations.problems(installation), ...operatorProblems(installation)]);
    });

    it(`APIServer for ${title} meets the CRD and the operator's rules`, async () => {
      const { apiServer } = await labArtifacts(raw);
      assertNoProblems(`APIServer (${title})`, [...apiServers.problems(apiServer), ...operatorProblems(apiServer)]);
    });
  }

  it("checks the changed config's values, not the defaults", async () => {
    const pool = poolOf((await labArtifacts({ blockSize: "24", encapsulation: "VXLAN" })).installation);
    assert.equal(pool.blockSize, 24);
    assert.equal(pool.encapsulation, "VXLAN");
  });

  // On a small valid Installation of its own, so these hold whatever the program declares.
  describe("the checker itself", () => {
    const variant = (change: (installation: KubeObject) => void): string[] => {
      const installation: KubeObject = {
        apiVersion: "operator.tigera.io/v1",
        kind: "Installation",
        metadata: { name: "default" },
        spec: { calicoNetwork: { ipPools: [{ cidr: "10.244.0.0/16", blockSize: 26, encapsulation: "VXLAN" }] } },
      };
      assert.deepEqual(installations.problems(installation), [], "the checker's own baseline is valid");
      change(installation);
      return [...installations.problems(installation), ...operatorProblems(installation)];
    };

    it("refuses an unknown field, naming it", () => {
      const problems = variant((i) => Object.assign(poolOf(i), { blockSzie: 26 }));
      assert.deepEqual(problems, ['/spec/calicoNetwork/ipPools/0: unknown field "blockSzie"']);
    });

    it("refuses a value outside an enum, listing the allowed ones", () => {
      const problems = variant((i) => Object.assign(poolOf(i), { encapsulation: "VXLANAlways" }));
      assert.equal(problems.length, 1);
      assert.match(problems[0], /^\/spec\/calicoNetwork\/ipPools\/0\/encapsulation: .*"VXLANCrossSubnet"/);
    });

    it("accepts an integer or a string where the schema says int-or-string, nothing else", () => {
      const maxUnavailable = (value: unknown) =>
        variant((i) => Object.assign(i.spec as object, { nodeUpdateStrategy: { rollingUpdate: { maxUnavailable: value } } }));
      assert.deepEqual(maxUnavailable(1), []);
      assert.deepEqual(maxUnavailable("10%"), []);
      assert.match(maxUnavailable(true).join("\n"), /maxUnavailable: must pass "x-kubernetes-int-or-string"/);
    });

    it("holds int32 to its range", () => {
      const problems = variant((i) => Object.assign(i.spec as object, { controlPlaneReplicas: 2 ** 31 }));
      assert.deepEqual(problems, ['/spec/controlPlaneReplicas: must match format "int32" (got 2147483648)']);
    });

    it("applies the operator's block size range and name rule", () => {
      assert.match(variant((i) => Object.assign(poolOf(i), { blockSize: 33 })).join("\n"), /blockSize: 33 is outside 20–32/);
      assert.match(variant((i) => Object.assign(poolOf(i), { blockSize: 19 })).join("\n"), /blockSize: 19 is outside 20–32/);
      assert.match(variant((i) => Object.assign(i.metadata as object, { name: "lab" })).join("\n"), /only acts on "default"/);
    });
  });
});
