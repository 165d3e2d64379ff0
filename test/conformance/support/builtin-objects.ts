// Built-in Kubernetes objects judged by two maintained packages generated from the Kubernetes
// OpenAPI, so no schema is written by hand:
// - kubernetes-models: types, enums, required fields and formats (its schemas leave objects open);
// - @kubernetes/client-node: each model's attribute map names every field a type has, which finds
//   the unknown fields the API server would drop (or refuse under strict field validation).
import * as k8s from "@kubernetes/client-node";
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Event } from "kubernetes-models/v1/Event";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Node } from "kubernetes-models/v1/Node";
import { Pod } from "kubernetes-models/v1/Pod";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

interface Attribute {
  baseName: string;
  type: string;
}
type ClientModel = { getAttributeTypeMap?: () => Attribute[] } | undefined;
const clientModels = k8s as unknown as Record<string, ClientModel>;

/** The built-in kinds we create or keep fixtures of: kubernetes-models class and client-node type. */
const BUILTIN: Record<string, { model: ModelClass; clientType: string }> = {
  "apps/v1 DaemonSet": { model: DaemonSet, clientType: "V1DaemonSet" },
  "apps/v1 Deployment": { model: Deployment, clientType: "V1Deployment" },
  "v1 Namespace": { model: Namespace, clientType: "V1Namespace" },
  "v1 Node": { model: Node, clientType: "V1Node" },
  "v1 Pod": { model: Pod, clientType: "V1Pod" },
  "v1 Event": { model: Event, clientType: "CoreV1Event" },
};

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isBuiltinKind(apiVersion: unknown, kind: unknown): boolean {
  return `${String(apiVersion)} ${String(kind)}` in BUILTIN;
}

/** Fields of `value` that its client-node type (e.g. "V1DaemonSet") does not have, as JSON paths. */
export function unknownFields(value: unknown, type: string, at = ""): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1], `${at}/${i}`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return isRecord(value) ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1], `${at}/${k}`)) : [];
  const attributes = clientModels[type]?.getAttributeTypeMap?.();
  // Scalars (string, IntOrString, Date...) have no attribute map; kubernetes-models checks those.
  if (!attributes || !isRecord(value)) return [];
  const fieldTypes = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([key, v]) => {
    const fieldType = fieldTypes.get(key);
    return fieldType === undefined ? [`${at}/${key}: unknown field (${type} has no "${key}")`] : unknownFields(v, fieldType, `${at}/${key}`);
  });
}

function modelProblems(model: ModelClass, data: unknown): string[] {
  try {
    new model(data as never).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string; params?: { allowedValues?: unknown } }[] }).errors;
    if (!errors) throw err;
    return errors.map((e) => {
      const allowed = e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : "";
      return `${e.instancePath || "/"}: ${e.message ?? "invalid"}${allowed}`;
    });
  }
}

/** RFC 1123 subdomain: what the API server requires of most object names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function nameProblems(metadata: unknown): string[] {
  const name = isRecord(metadata) ? metadata.name : undefined;
  if (typeof name === "string" && name.length <= 253 && DNS_SUBDOMAIN.test(name)) return [];
  return [`/metadata/name: ${JSON.stringify(name)} is not a lowercase RFC 1123 subdomain`];
}

/** Problems with a custom resource's metadata, which the API server checks as ObjectMeta. */
export function metadataProblems(metadata: unknown): string[] {
  if (!isRecord(metadata)) return ["/metadata: missing"];
  return [
    ...modelProblems(ObjectMeta, metadata).map((p) => `/metadata${p === "/" ? "" : p}`),
    ...unknownFields(metadata, "V1ObjectMeta", "/metadata"),
    ...nameProblems(metadata),
  ];
}

/** Every problem the API server would have with a built-in object; empty when it conforms. */
export function builtinProblems(object: Record<string, unknown>): string[] {
  const entry = BUILTIN[`${String(object.apiVersion)} ${String(object.kind)}`];
  if (!entry) return [`/kind: no validator for ${String(object.apiVersion)} ${String(object.kind)} (add it to BUILTIN)`];
  return [
    ...modelProblems(entry.model, object),
    ...unknownFields(object, entry.clientType),
    ...nameProblems(object.metadata),
  ];
}
