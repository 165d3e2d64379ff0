// Reading the structured config keys (lists and maps given as JSON, or built with `pulumi config set
// --path`). With --path, Pulumi may hand numbers and booleans over as strings ("70", "true"), so both
// spellings are accepted. Every problem names the path a user would type: `calico-ipam:pools[1].cidr`.
import { isValue, q, show, squash } from "./checks";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parsed value, or a problem saying what was expected (with an example). */
export function parseJson(key: string, value: string, expected: string, problems: string[]): Json | undefined {
  try {
    return JSON.parse(value) as Json;
  } catch {
    problems.push(`${q(key)} is ${show(value)}: not JSON; expected ${expected}`);
    return undefined;
  }
}

/** Where a value sits, as `pulumi config set --path` spells it. */
export function at(key: string, ...steps: (string | number)[]): string {
  return q(key) + steps.map((s) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("");
}

export function showJson(value: Json | undefined): string {
  return show(typeof value === "string" ? value : JSON.stringify(value) ?? "undefined");
}

/** Edits (insert, delete, replace) between two short words. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length];
}

/**
 * Reports fields an entry does not have, a typo named with its likely meaning. Returns the fields
 * suggested, so a caller need not also say they are missing.
 */
export function unknownFields(entry: JsonObject, fields: readonly string[], where: string, problems: string[]): Set<string> {
  const suggested = new Set<string>();
  for (const field of Object.keys(entry)) {
    if (fields.includes(field)) continue;
    const near = fields.find((f) => squash(f) === squash(field)) ?? fields.find((f) => distance(squash(f), squash(field)) <= 2);
    if (near) suggested.add(near);
    problems.push(`${where} has no field ${JSON.stringify(field)}${near ? `: did you mean ${near}?` : `; the fields are ${fields.join(", ")}`}`);
  }
  return suggested;
}

/** One object of a list key, with the helpers every field check of it uses. */
export interface ListEntry {
  fields: JsonObject;
  where: string;
  /** Fields an unknown field was taken for (a typo): not reported missing as well. */
  suggested: Set<string>;
  /** Reports a bad field value, naming its path. */
  bad(field: string, why: string): void;
  /** True when no problem was reported about this entry. */
  clean(): boolean;
}

/** `key[index]` as an object with only `known` fields, or undefined (reported) when it is no object. */
export function listEntry(key: string, index: number, value: Json, known: readonly string[], example: string, problems: string[]): ListEntry | undefined {
  const where = at(key, index);
  if (!isObject(value)) {
    problems.push(`${where} is ${showJson(value)}: expected an object such as ${example}`);
    return undefined;
  }
  const start = problems.length;
  const suggested = unknownFields(value, known, where, problems);
  return {
    fields: value,
    where,
    suggested,
    bad: (field, why) => problems.push(isValue(at(key, index, field), showJson(value[field]), why)),
    clean: () => problems.length === start,
  };
}

export function asString(value: Json | undefined): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A whole number, from a number or a string of digits; undefined otherwise. */
export function asWholeNumber(value: Json | undefined): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

export function asBoolean(value: Json | undefined): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  return undefined;
}

/** A list of strings, from a JSON list or one comma-separated string. */
export function asStringList(value: Json | undefined): string[] | undefined {
  if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return (value as string[]).map((s) => s.trim());
  return undefined;
}

/** RFC 1123 label: what Kubernetes requires of namespace names (and what keeps pod names short). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: what Kubernetes (and Calico) require of most object names. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
