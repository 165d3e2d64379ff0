// Issue 5, part 2: every object in the IPAM fixtures (test/fixtures/ipam/*.json, found at run time)
// has a shape the real API server could have returned: Calico's own CRDs for IPPool, IPAMBlock,
// BlockAffinity..., the operator CRDs for TigeraStatus and Installation, the Kubernetes OpenAPI
// types for Node. So the reader is never tested against invented shapes.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { builtinProblems, isBuiltinKind, isRecord } from "./support/builtin-objects";
import { crdValidator, CrdValidator } from "./support/crd-schema";
import { assertNoProblems, missingUpstream, skipIfMissing, UPSTREAM, upstreamFile } from "./support/environment";

const FIXTURES_DIR = path.resolve(__dirname, "../fixtures/ipam");
/** The IPAM kinds the fixtures exist for: each must appear at least once. */
const IPAM_KINDS = ["IPPool", "IPAMBlock", "BlockAffinity"];
/** Custom resource kinds we hold the CRD of, by upstream file. */
const CRD_FILES: Record<string, string> = {
  IPPool: UPSTREAM.calicoCrd("ippools"),
  IPAMBlock: UPSTREAM.calicoCrd("ipamblocks"),
  BlockAffinity: UPSTREAM.calicoCrd("blockaffinities"),
  IPAMHandle: UPSTREAM.calicoCrd("ipamhandles"),
  IPAMConfig: UPSTREAM.calicoCrd("ipamconfigs"),
  TigeraStatus: UPSTREAM.operatorCrd("tigerastatuses"),
  Installation: UPSTREAM.operatorCrd("installations"),
  APIServer: UPSTREAM.operatorCrd("apiservers"),
};

interface FixtureObject {
  at: string;
  object: Record<string, unknown>;
}

/** The objects in a fixture: a single object, or the items of a List (kind inferred as the API does). */
function objectsIn(json: unknown, file: string): FixtureObject[] {
  if (!isRecord(json) || !Array.isArray(json.items)) return [{ at: file, object: json as Record<string, unknown> }];
  const listKind = String(json.kind);
  const itemKind = listKind !== "List" && listKind.endsWith("List") ? listKind.slice(0, -4) : undefined;
  return json.items.map((item: unknown, i: number) => ({
    at: `${file} items[${i}]`,
    // A typed list (IPAMBlockList) may leave kind/apiVersion off its items; a plain List may not.
    object: isRecord(item) ? { ...(itemKind ? { kind: itemKind, apiVersion: json.apiVersion } : {}), ...item } : { item },
  }));
}

const fixtureFiles = fs.existsSync(FIXTURES_DIR) ? fs.readdirSync(FIXTURES_DIR).filter((f) => f.endsWith(".json")).sort() : [];

const read = (file: string): FixtureObject[] =>
  objectsIn(JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, file), "utf8")), file);

describe("conformance: IPAM fixtures (Calico CRDs, operator CRDs, Kubernetes types)", () => {
  it(`has fixtures of every IPAM kind (${IPAM_KINDS.join(", ")}) under test/fixtures/ipam`, () => {
    assert.ok(fixtureFiles.length > 0, `no *.json fixtures in ${FIXTURES_DIR}: nothing to check`);
    const kinds = new Set(fixtureFiles.flatMap(read).map((o) => o.object.kind));
    const missing = IPAM_KINDS.filter((k) => !kinds.has(k));
    assert.deepEqual(missing, [], `no fixture object of kind ${missing.join(", ")} in ${FIXTURES_DIR}`);
  });

  describe("each fixture file", fixtureSchemas);
});

function fixtureSchemas(): void {
  const validators = new Map<string, CrdValidator>();
  const validatorFor = (kind: string): CrdValidator => {
    if (!validators.has(kind)) validators.set(kind, crdValidator(upstreamFile(CRD_FILES[kind])));
    return validators.get(kind)!;
  };
  /** The object's problems by the schema of its kind; undefined when no schema here covers the kind. */
  const judge = (object: Record<string, unknown>): string[] | undefined => {
    const kind = String(object.kind);
    if (kind in CRD_FILES) return validatorFor(kind).problems(object);
    return isBuiltinKind(object.apiVersion, kind) ? builtinProblems(object) : undefined;
  };

  before(function () {
    skipIfMissing(this, missingUpstream(...Object.values(CRD_FILES)));
  });

  for (const file of fixtureFiles) {
    it(`${file}: every object meets its schema`, function () {
      this.timeout(60_000); // the Installation CRD takes a few seconds to compile
      const problems: string[] = [];
      const ignored: string[] = [];
      for (const { at, object } of read(file)) {
        const kind = String(object.kind);
        const name = isRecord(object.metadata) ? String(object.metadata.name) : "?";
        const found = typeof object.kind === "string" ? judge(object) : ["/kind: missing: not a Kubernetes object"];
        if (found === undefined) ignored.push(`${at} ${kind}`);
        problems.push(...(found ?? []).map((p) => `${at} (${kind} ${name}) ${p}`));
      }
      if (ignored.length > 0) console.log(`      not checked (no schema here for these kinds): ${ignored.join(", ")}`);
      assertNoProblems(file, problems);
    });
  }
}
