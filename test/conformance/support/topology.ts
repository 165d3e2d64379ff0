// The containerlab topology judged by containerlab's published JSON schema (draft-07), except for
// `extras.k8s_kind`, which that schema does not describe although containerlab v0.79.0 reads it
// (types/types.go: K8sKindExtras{Deploy{Kubeconfig, Wait}}). That part is checked against exactly
// those two fields, then removed, so the rest meets the schema as strictly as it is written.
import * as fs from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describeErrors } from "./crd-schema";
import { isRecord } from "./builtin-objects";

/** time.ParseDuration: "0", or a sequence of decimal numbers each with a unit ("1h30m", "0.5s"). */
const GO_DURATION = "^[-+]?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$";

const K8S_KIND_EXTRAS = {
  type: "object",
  additionalProperties: false,
  properties: {
    deploy: {
      type: "object",
      additionalProperties: false,
      properties: {
        kubeconfig: { type: "string" },
        wait: { type: "string", pattern: GO_DURATION },
      },
    },
  },
};

function clabAjv(): Ajv {
  // strictSchema off: the schema is written for editors and carries what draft-07 says to ignore
  // (markdownDescription, a 2020-12 prefixItems on `links`, additionalItems without tuple items).
  // That loosens nothing in the data: every additionalProperties:false in it still applies.
  const ajv = new Ajv({ allErrors: true, verbose: true, strictSchema: false, strictTypes: false });
  addFormats(ajv);
  return ajv;
}

export interface TopologyChecker {
  /** Every problem with the parsed topology; empty when containerlab would accept it. */
  problems(topology: unknown): string[];
}

/** Every `extras` object in the topology (nodes, kinds, groups, defaults), with its path. */
function extrasOf(topology: unknown): { at: string; extras: Record<string, unknown> }[] {
  const found: { at: string; extras: Record<string, unknown> }[] = [];
  const visit = (value: unknown, at: string): void => {
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === "extras" && isRecord(child)) found.push({ at: `${at}/extras`, extras: child });
      else visit(child, `${at}/${key}`);
    }
  };
  visit(topology, "");
  return found;
}

export function topologyChecker(clabSchemaFile: string): TopologyChecker {
  const ajv = clabAjv();
  const clab = ajv.compile(JSON.parse(fs.readFileSync(clabSchemaFile, "utf8")) as object);
  const k8sKind = ajv.compile(K8S_KIND_EXTRAS);
  return {
    problems(topology) {
      const copy = structuredClone(topology);
      const problems: string[] = [];
      for (const { at, extras } of extrasOf(copy)) {
        if (!("k8s_kind" in extras)) continue;
        if (!k8sKind(extras.k8s_kind)) {
          // describeErrors starts each line with the path inside k8s_kind ("/" for itself).
          problems.push(...describeErrors(k8sKind.errors).map((p) => `${at}/k8s_kind${p.startsWith("/:") ? p.slice(1) : p}`));
        }
        delete extras.k8s_kind;
      }
      if (!clab(copy)) problems.push(...describeErrors(clab.errors));
      return problems;
    },
  };
}
