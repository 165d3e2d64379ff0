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
  ["several pools (one disabled, one Manual)", {
    podCidr: "10.244.0.0/16",
    pools: JSON.stringify([
      { name: "main", cidr: "10.244.64.0/18", nodeSelector: "rack != 'a'", disableNewAllocations: true },
      { name: "rack-a", cidr: "10.244.128.0/24", blockSize: 28, nodeSelector: "rack == 'a'", encapsulation: "VXLAN" },
      { name: "main-v2", cidr: "10.244.192.0/18", assignmentMode: "Manual" },
      { name: "open", cidr: "10.244.0.0/18" },
    ]),
  }],
  ["dual-stack", { ipFamily: "dual" }],
  ["dual-stack with IPv6 pools of its own", {
    ipFamily: "dual",
    pools: JSON.stringify([{ name: "v4", cidr: "192.168.0.0/16" }, { name: "v6-a", cidr: "fd00:10:244:1::/64", blockSize: 120, encapsulation: "VXLAN" }, { name: "v6-b", cidr: "fd00:10:244:2::/64" }]),
  }],
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

    it("takes several pools of one family, but each CIDR and name once, and no overlap", () => {
      const second = (pool: Record<string, unknown>) => variant((i) => (i.spec as { calicoNetwork: { ipPools: unknown[] } }).calicoNetwork.ipPools.push(pool));
      assert.deepEqual(second({ cidr: "10.245.0.0/16", name: "b" }), []);
      assert.match(second({ cidr: "10.244.0.0/16", name: "b" }).join("\n"), /IP pool 10\.244\.0\.0\/16 is specified more than once/);
      assert.match(second({ cidr: "10.244.128.0/24", name: "b" }).join("\n"), /overlaps ipPools\/0/);
    });

    it("refuses IPIP on an IPv6 pool, and takes VXLAN there", () => {
      const v6 = (encapsulation: string) => variant((i) => (i.spec as { calicoNetwork: { ipPools: unknown[] } }).calicoNetwork.ipPools.push({ cidr: "fd00:10:244::/56", blockSize: 122, encapsulation }));
      assert.deepEqual(v6("VXLAN"), []);
      assert.match(v6("IPIP").join("\n"), /IPIP is not supported on an IPv6 IP pool/);
    });

    it("applies the operator's block size range and name rule", () => {
      assert.match(variant((i) => Object.assign(poolOf(i), { blockSize: 33 })).join("\n"), /blockSize: 33 is outside 20–32/);
      assert.match(variant((i) => Object.assign(poolOf(i), { blockSize: 19 })).join("\n"), /blockSize: 19 is outside 20–32/);
      assert.match(variant((i) => Object.assign(i.metadata as object, { name: "lab" })).join("\n"), /only acts on "default"/);
    });
  });
});
