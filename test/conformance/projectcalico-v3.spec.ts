// The IPAMConfiguration the experiments declare goes through Calico's API server (projectcalico.org/v3),
// which stores it as crd.projectcalico.org/v1 IPAMConfig. Judged twice, as that server would:
// - the v3 object: kind, name `default`, and only the v3 spec fields (api/pkg/apis/projectcalico/v3/
//   ipamconfig.go at v3.30.7: strictAffinity, maxBlocksPerHost; the server refuses any other name:
//   apiserver/pkg/storage/calico/ipamconfig_storage.go "IPAM config resource name has to be default");
// - its stored form, converted the way IPAMConfigConverter.convertToLibcalico does (kind IPAMConfig,
//   autoAllocateBlocks set to true by the server), against the libcalico-go CRD in ../shared/upstream.
import * as assert from "node:assert/strict";
import type { RawConfig } from "../../lib/config";
import { crdValidator, CrdValidator } from "./support/crd-schema";
import { assertNoProblems, missingUpstream, skipIfMissing, UPSTREAM, upstreamFile } from "./support/environment";
import { inputsOf, KubeObject, labArtifacts } from "./support/lab-artifacts";
import { isRecord, metadataProblems } from "./support/builtin-objects";

/** The v3 IPAMConfigurationSpec's JSON fields and their types (v3.30.7). */
const V3_SPEC_FIELDS: Record<string, "boolean" | "int32"> = { strictAffinity: "boolean", maxBlocksPerHost: "int32" };

function v3Problems(object: KubeObject): string[] {
  const problems: string[] = [];
  if (object.apiVersion !== "projectcalico.org/v3") problems.push(`/apiVersion: is ${JSON.stringify(object.apiVersion)}, expected "projectcalico.org/v3"`);
  if (object.kind !== "IPAMConfiguration") problems.push(`/kind: is ${JSON.stringify(object.kind)}, expected "IPAMConfiguration"`);
  const name = isRecord(object.metadata) ? object.metadata.name : undefined;
  if (name !== "default") problems.push(`/metadata/name: the API server takes only "default", got ${JSON.stringify(name)}`);
  problems.push(...metadataProblems(object.metadata));
  const spec = isRecord(object.spec) ? object.spec : {};
  for (const [field, value] of Object.entries(spec)) {
    const type = V3_SPEC_FIELDS[field];
    if (!type) problems.push(`/spec/${field}: not a field of the v3 IPAMConfigurationSpec`);
    else if (type === "boolean" ? typeof value !== "boolean" : !(Number.isInteger(value) && Math.abs(value as number) < 2 ** 31)) {
      problems.push(`/spec/${field}: must be ${type} (got ${JSON.stringify(value)})`);
    }
  }
  return problems;
}

/** The object as the API server stores it (IPAMConfigConverter.convertToLibcalico). */
function stored(object: KubeObject): KubeObject {
  const spec = isRecord(object.spec) ? object.spec : {};
  return {
    apiVersion: "crd.projectcalico.org/v1",
    kind: "IPAMConfig",
    metadata: { name: isRecord(object.metadata) ? object.metadata.name : undefined },
    spec: { strictAffinity: spec.strictAffinity, maxBlocksPerHost: spec.maxBlocksPerHost, autoAllocateBlocks: true },
  };
}

const CONFIGS: [string, RawConfig][] = [
  ["ipamConfig {}", { ipamConfig: "{}" }],
  ["the block limit of recipe 2", { ipamConfig: '{"maxBlocksPerHost": 1}' }],
  ["strict affinity", { ipamConfig: '{"strictAffinity": true, "maxBlocksPerHost": 4}' }],
];

describe("conformance: the IPAMConfiguration (projectcalico.org/v3, stored as crd.projectcalico.org/v1)", () => {
  let ipamConfigs: CrdValidator;

  before(function () {
    skipIfMissing(this, missingUpstream(UPSTREAM.calicoCrd("ipamconfigs")));
    ipamConfigs = crdValidator(upstreamFile(UPSTREAM.calicoCrd("ipamconfigs")));
  });

  for (const [title, raw] of CONFIGS) {
    it(`${title}: a v3 object Calico's API server takes, stored as its CRD requires`, async () => {
      const { lab } = await labArtifacts(raw);
      const object = inputsOf(lab.one("kubernetes:projectcalico.org/v3:IPAMConfigurationPatch"));
      assertNoProblems(`IPAMConfiguration (${title})`, [...v3Problems(object), ...ipamConfigs.problems(stored(object))]);
    });
  }

  describe("the checker itself", () => {
    const base = (): KubeObject => ({ apiVersion: "projectcalico.org/v3", kind: "IPAMConfiguration", metadata: { name: "default" }, spec: { strictAffinity: false, maxBlocksPerHost: 0 } });

    it("takes a plain v3 object", () => {
      assert.deepEqual([...v3Problems(base()), ...ipamConfigs.problems(stored(base()))], []);
    });

    it("refuses the v1-only field, another name, and a negative limit (the CRD's minimum)", () => {
      const object = base();
      Object.assign(object.spec as object, { autoAllocateBlocks: true, maxBlocksPerHost: -1 });
      Object.assign(object.metadata as object, { name: "lab" });
      const problems = [...v3Problems(object), ...ipamConfigs.problems(stored(object))];
      assert.ok(problems.includes("/spec/autoAllocateBlocks: not a field of the v3 IPAMConfigurationSpec"), problems.join("\n"));
      assert.ok(problems.some((p) => p.startsWith('/metadata/name: the API server takes only "default"')), problems.join("\n"));
      assert.ok(problems.some((p) => p.startsWith("/spec/maxBlocksPerHost: must be >= 0")), problems.join("\n"));
    });
  });
});
