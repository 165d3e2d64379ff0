// Validates custom resources the way the API server would, from a CRD's own openAPIV3Schema.
// ajv knows JSON Schema, not the Kubernetes dialect, so the dialect is taught here: its extension
// keywords, its formats, and the pruning rule that makes unknown fields an error.
import * as fs from "node:fs";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { isRecord, metadataProblems } from "./builtin-objects";

type Schema = Record<string, unknown>;

function uniqueBy(items: unknown[], key: (item: unknown) => string): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) duplicates.push(k);
    seen.add(k);
  }
  return duplicates;
}

/** An ajv that speaks the Kubernetes structural-schema dialect. */
export function kubernetesAjv(): Ajv {
  // strictTypes off: int-or-string quantities carry `pattern` with no single `type`, as Kubernetes
  // allows; every other strict check stays on, so an unknown keyword in a CRD still fails loudly.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  // int32/int64 (range), byte (base64) and date-time are OpenAPI formats the CRDs use.
  addFormats(ajv, ["int32", "int64", "byte", "date-time"]);
  ajv.addKeyword({
    keyword: "x-kubernetes-int-or-string",
    schemaType: "boolean",
    errors: false,
    validate: (on: boolean, data: unknown) => !on || typeof data === "string" || Number.isInteger(data),
  });
  // The API server rejects duplicates in a `set` list, and duplicate keys in a `map` list.
  ajv.addKeyword({
    keyword: "x-kubernetes-list-type",
    schemaType: "string",
    type: "array",
    errors: false,
    validate: (listType: string, data: unknown[], parent?: Schema) => {
      if (listType === "set") return uniqueBy(data, (i) => JSON.stringify(i)).length === 0;
      if (listType !== "map") return true;
      const keys = (parent?.["x-kubernetes-list-map-keys"] as string[] | undefined) ?? [];
      return uniqueBy(data, (i) => JSON.stringify(keys.map((k) => (isRecord(i) ? i[k] : undefined)))).length === 0;
    },
  });
  // Annotations: they steer pruning (closeObjects below), merging or CEL, not plain validation.
  // x-kubernetes-validations holds CEL rules, which ajv cannot run: they are NOT checked here
  // (none of the Calico v3.30.7 CRDs we use has any; crdValidator counts them to say so).
  for (const keyword of [
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
  ]) {
    ajv.addKeyword({ keyword });
  }
  return ajv;
}

/**
 * With a structural schema the API server drops every field the schema does not name (and refuses
 * it under strict field validation): either way the field never lands. Model that by closing each
 * object that does not preserve unknown fields. Logical junctors (anyOf...) only hold value
 * checks in a structural schema, so they are left alone.
 */
export function closeObjects(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (isRecord(out.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [k, isRecord(v) ? closeObjects(v) : v]),
    );
  }
  if (isRecord(out.items)) out.items = closeObjects(out.items);
  if (isRecord(out.additionalProperties)) out.additionalProperties = closeObjects(out.additionalProperties);
  const isObject = out.type === "object" || out.properties !== undefined;
  if (isObject && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function countKeyword(schema: unknown, keyword: string): number {
  if (Array.isArray(schema)) return schema.reduce((n: number, s) => n + countKeyword(s, keyword), 0);
  if (!isRecord(schema)) return 0;
  return Object.entries(schema).reduce((n, [k, v]) => n + (k === keyword ? 1 : 0) + countKeyword(v, keyword), 0);
}

/** Keywords that only sum up a choice between branches (oneOf [node, null]...). */
const SUMMARY = ["oneOf", "anyOf", "type"];

/**
 * A branch's verdict ("must be null", "must match exactly one schema in oneOf") is noise when a
 * specific error sits at the same field or below it: keep the specific one.
 */
function specificErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => !SUMMARY.includes(e.keyword));
  return errors.filter(
    (e) => !SUMMARY.includes(e.keyword) || !specific.some((s) => s.instancePath === e.instancePath || s.instancePath.startsWith(`${e.instancePath}/`)),
  );
}

function shown(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** ajv's errors as one line each, naming the field. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return specificErrors(errors ?? []).map((e) => {
    const at = e.instancePath || "/";
    // With ajv's `verbose`, the offending value comes along: show it for value-level checks.
    const got = ["enum", "const", "type", "pattern", "format"].includes(e.keyword) && "data" in e ? ` (got ${shown(e.data)})` : "";
    switch (e.keyword) {
      case "additionalProperties":
        return `${at}: unknown field "${String(e.params.additionalProperty)}"`;
      case "enum":
        return `${at}: ${e.message} ${JSON.stringify(e.params.allowedValues)}${got}`;
      default:
        return `${at}: ${e.message ?? e.keyword}${got}`;
    }
  });
}

export interface CrdValidator {
  apiVersion: string;
  kind: string;
  /** CEL rules (x-kubernetes-validations) in the schema, which are not evaluated. */
  celRules: number;
  /** Every problem the API server would have with this object; empty when it conforms. */
  problems(object: Record<string, unknown>): string[];
}

/** A validator for the storage version of the CRD in `file` (a CustomResourceDefinition YAML). */
export function crdValidator(file: string, ajv: Ajv = kubernetesAjv()): CrdValidator {
  const crd = parse(fs.readFileSync(file, "utf8")) as {
    spec: { group: string; names: { kind: string }; versions: { name: string; storage: boolean; schema: { openAPIV3Schema: Schema } }[] };
  };
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const root = version.schema.openAPIV3Schema;
  const closed = closeObjects(root);
  // The API server checks the root metadata as ObjectMeta whatever the CRD says about it.
  const properties = { ...(closed.properties as Schema), metadata: { type: "object" } };
  const validate: ValidateFunction = ajv.compile({ ...closed, properties });
  const apiVersion = `${crd.spec.group}/${version.name}`;
  const kind = crd.spec.names.kind;
  return {
    apiVersion,
    kind,
    celRules: countKeyword(root, "x-kubernetes-validations"),
    problems(object) {
      const problems: string[] = [];
      if (object.apiVersion !== apiVersion) problems.push(`/apiVersion: is ${JSON.stringify(object.apiVersion)}, expected "${apiVersion}"`);
      if (object.kind !== kind) problems.push(`/kind: is ${JSON.stringify(object.kind)}, expected "${kind}"`);
      if (!validate(object)) problems.push(...describeErrors(validate.errors));
      problems.push(...metadataProblems(object.metadata));
      return problems;
    },
  };
}
