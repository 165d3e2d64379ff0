// The IPAM experiment keys: `ipamConfig`, `workerLabels`, `namespaces` and `workloads`. Each one is
// a few lines of stack config that set up a situation Calico IPAM users meet (a second block, the
// block limit, borrowing, pools by node or namespace, pool migration); see README "Experiments".
import { kindNodeNames, type PoolSettings, type Target } from "../core/types";
import { q, show } from "./checks";
import type { IpamConfigSettings, WorkloadConfig } from "./keys";
import {
  asBoolean, asString, asStringList, asWholeNumber, at, DNS_LABEL, DNS_SUBDOMAIN, isObject, listEntry, parseJson, showJson, unknownFields,
  type Json,
} from "./structured";

/** Namespaces the lab may not create or annotate: Kubernetes', Calico's, kind's and the IPAM probe's. */
export const RESERVED_NAMESPACES = [
  "default", "kube-system", "kube-public", "kube-node-lease", "calico-system", "calico-apiserver", "tigera-operator",
  "local-path-storage", "calico-ipam",
];
/** Kubernetes' object count limit is far away; a kind node runs at most 110 pods (the kubelet's default). */
export const MAX_REPLICAS = 500;
const IPAM_CONFIG_FIELDS = ["strictAffinity", "maxBlocksPerHost"] as const;
const NAMESPACE_FIELDS = ["pools"] as const;
const WORKLOAD_FIELDS = ["name", "namespace", "replicas", "pools", "node", "rollout"] as const;
const WORKLOAD_EXAMPLE = `[{"name": "web", "replicas": 70, "node": "calico-ipam-worker"}]`;
/** The kubelet sets these kubernetes.io labels on its own node; it refuses any other under kubernetes.io or k8s.io. */
const KUBELET_ALLOWED_LABELS = ["topology.kubernetes.io/zone", "topology.kubernetes.io/region"];
const KUBELET_ALLOWED_PREFIXES = ["node.kubernetes.io/", "kubelet.kubernetes.io/"];
const LABEL_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export interface ExperimentContext {
  target: Target;
  labName: string;
  workers: number;
  pools: PoolSettings[];
}

export interface ExperimentsResult {
  ipamConfig?: IpamConfigSettings;
  workerLabels: Record<string, string>[];
  namespaces: Record<string, { pools: string[] }>;
  workloads: WorkloadConfig[];
  problems: string[];
}

function readIpamConfig(value: string | undefined, problems: string[]): IpamConfigSettings | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJson("ipamConfig", value, `an object such as {"strictAffinity": false, "maxBlocksPerHost": 1}`, problems);
  if (parsed === undefined) return undefined;
  if (!isObject(parsed)) {
    problems.push(`${q("ipamConfig")} is ${show(value)}: expected an object such as {"strictAffinity": false, "maxBlocksPerHost": 1}`);
    return undefined;
  }
  unknownFields(parsed, IPAM_CONFIG_FIELDS, q("ipamConfig"), problems);
  const strictAffinity = parsed.strictAffinity === undefined ? false : asBoolean(parsed.strictAffinity);
  if (strictAffinity === undefined) {
    problems.push(`${at("ipamConfig", "strictAffinity")} is ${showJson(parsed.strictAffinity)}: expected true (no borrowing) or false`);
  }
  const maxBlocksPerHost = parsed.maxBlocksPerHost === undefined ? 0 : asWholeNumber(parsed.maxBlocksPerHost);
  if (maxBlocksPerHost === undefined || maxBlocksPerHost < 0 || maxBlocksPerHost > 2 ** 31 - 1) {
    problems.push(`${at("ipamConfig", "maxBlocksPerHost")} is ${showJson(parsed.maxBlocksPerHost)}: expected a whole number, ` +
      `the blocks a node may hold (0: Calico's default, which stops at 20)`);
  }
  return { strictAffinity: strictAffinity ?? false, maxBlocksPerHost: maxBlocksPerHost ?? 0 };
}

/** What is wrong with a label key or value the kubelet would set on its node, or undefined. */
function labelProblem(key: string, value: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? "" : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if ((prefix !== "" && (!DNS_SUBDOMAIN.test(prefix) || prefix.length > 253)) || !LABEL_PART.test(name) || name.length > 63) {
    return `is not a Kubernetes label key (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".")`;
  }
  const restricted = /(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix);
  if (restricted && !KUBELET_ALLOWED_LABELS.includes(key) && !KUBELET_ALLOWED_PREFIXES.some((p) => key.startsWith(p))) {
    return `is under ${prefix}, where the kubelet refuses to label its own node (kind passes node labels to the kubelet); ` +
      `use a key of your own, such as "rack" or "lab.example/rack"`;
  }
  if (value !== "" && (!LABEL_PART.test(value) || value.length > 63)) {
    return `has the value ${JSON.stringify(value)}, which is not a Kubernetes label value (at most 63 letters, digits, "-", "_" or ".")`;
  }
  return undefined;
}

function readWorkerLabels(value: string | undefined, context: ExperimentContext, problems: string[]): Record<string, string>[] {
  if (value === undefined) return [];
  const example = `[{"rack": "a"}, {"rack": "b"}]`;
  if (context.target === "existing") {
    problems.push(`${q("workerLabels")} is set but ${q("target")} is "existing": the lab labels only the kind workers it creates; label your own nodes with kubectl label`);
    return [];
  }
  const parsed = parseJson("workerLabels", value, `a list with one map of labels per worker, such as ${example}`, problems);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) {
    problems.push(`${q("workerLabels")} is ${show(value)}: expected a list with one map of labels per worker, such as ${example}`);
    return [];
  }
  if (parsed.length > context.workers) {
    problems.push(`${q("workerLabels")} has ${parsed.length} entries but ${q("workers")} is ${context.workers}: one entry per worker, in node order`);
  }
  return parsed.map((entry, i) => {
    if (!isObject(entry)) {
      problems.push(`${at("workerLabels", i)} is ${showJson(entry)}: expected a map of labels such as {"rack": "a"} ({} for none)`);
      return {};
    }
    const labels: Record<string, string> = {};
    for (const [key, raw] of Object.entries(entry)) {
      const labelValue = asString(raw);
      const why = labelValue === undefined ? "has a value that is not a string" : labelProblem(key, labelValue);
      if (why) problems.push(`${at("workerLabels", i, key)} ${why}`);
      else labels[key] = labelValue as string;
    }
    return labels;
  });
}

/** A list of pool names that all exist; problems name the path and the pools there are. */
function poolNames(value: Json | undefined, where: string, pools: PoolSettings[], problems: string[]): string[] {
  const names = asStringList(value);
  const known = pools.map((p) => p.name);
  if (names === undefined || names.length === 0) {
    problems.push(`${where} is ${showJson(value)}: expected a list of pool names, such as ${JSON.stringify(known.slice(0, 1))}`);
    return [];
  }
  for (const name of names.filter((n) => !known.includes(n))) {
    problems.push(`${where} names the pool ${JSON.stringify(name)}, which is not one of the lab's pools (${known.join(", ")})`);
  }
  return names.filter((n) => known.includes(n));
}

function namespaceProblem(name: string): string | undefined {
  if (!DNS_LABEL.test(name) || name.length > 63) return `is not a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)`;
  if (name === "default") return `is Kubernetes' own namespace, which the lab does not annotate; use a namespace of your own, such as "team-a"`;
  if (RESERVED_NAMESPACES.includes(name)) return `is a namespace of Kubernetes, kind, Calico or the IPAM probe; use one of your own, such as "team-a"`;
  return undefined;
}

function readNamespaces(value: string | undefined, context: ExperimentContext, problems: string[]): Record<string, { pools: string[] }> {
  if (value === undefined) return {};
  const example = `{"team-a": {"pools": ["rack-a"]}}`;
  const parsed = parseJson("namespaces", value, `a map of namespaces to their pools, such as ${example}`, problems);
  if (parsed === undefined) return {};
  if (!isObject(parsed)) {
    problems.push(`${q("namespaces")} is ${show(value)}: expected a map of namespaces to their pools, such as ${example}`);
    return {};
  }
  const namespaces: Record<string, { pools: string[] }> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    const why = namespaceProblem(name);
    if (why) {
      problems.push(`${at("namespaces", name)}: ${JSON.stringify(name)} ${why}`);
      continue;
    }
    if (!isObject(entry)) {
      problems.push(`${at("namespaces", name)} is ${showJson(entry)}: expected {"pools": [...]}, such as ${example}`);
      continue;
    }
    unknownFields(entry, NAMESPACE_FIELDS, at("namespaces", name), problems);
    namespaces[name] = { pools: poolNames(entry.pools, at("namespaces", name, "pools"), context.pools, problems) };
  }
  return namespaces;
}

function readWorkload(value: Json, index: number, context: ExperimentContext, problems: string[]): WorkloadConfig | undefined {
  const read = listEntry("workloads", index, value, WORKLOAD_FIELDS, WORKLOAD_EXAMPLE.slice(1, -1), problems);
  if (!read) return undefined;
  const { fields: entry, where, suggested, bad: field } = read;
  const name = asString(entry.name);
  if (name === undefined || name === "") {
    if (!suggested.has("name")) problems.push(`${where} has no name: give each workload one, such as "web"`);
  }
  else if (!DNS_LABEL.test(name) || name.length > 50) field("name", `expected lowercase letters, digits and "-", at most 50 (its pods are named after it)`);
  const namespace = asString(entry.namespace) ?? "default";
  const namespaceWhy = namespace === "default" ? undefined : namespaceProblem(namespace);
  if (namespaceWhy) field("namespace", namespaceWhy);
  const replicas = asWholeNumber(entry.replicas);
  if (entry.replicas === undefined) {
    if (!suggested.has("replicas")) problems.push(`${where} has no replicas: give the number of pods, from 0 to ${MAX_REPLICAS}`);
  } else if (replicas === undefined || replicas < 0 || replicas > MAX_REPLICAS) {
    field("replicas", `expected a whole number from 0 to ${MAX_REPLICAS} (a kind node runs at most 110 pods)`);
  }
  const pools = entry.pools === undefined ? [] : poolNames(entry.pools, at("workloads", index, "pools"), context.pools, problems);
  const node = asString(entry.node);
  if (node !== undefined && context.target !== "existing") {
    const nodes = kindNodeNames(context.labName, context.workers).map((n) => n.name);
    if (!nodes.includes(node)) field("node", `not a node of this lab; the nodes are ${nodes.join(", ")}`);
  } else if (node !== undefined && !DNS_SUBDOMAIN.test(node)) {
    field("node", "expected a node name as `kubectl get nodes` shows it");
  }
  const rollout = asString(entry.rollout);
  if (entry.rollout !== undefined && (rollout === undefined || rollout.length > 63)) field("rollout", "expected a short string or number; a new value restarts the pods");
  if (!read.clean() || !name || replicas === undefined) return undefined;
  return { name, namespace, replicas, pools, ...(node !== undefined ? { node } : {}), ...(rollout !== undefined ? { rollout } : {}) };
}

function readWorkloads(value: string | undefined, context: ExperimentContext, problems: string[]): WorkloadConfig[] {
  if (value === undefined) return [];
  const parsed = parseJson("workloads", value, `a list of workloads such as ${WORKLOAD_EXAMPLE}`, problems);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) {
    problems.push(`${q("workloads")} is ${show(value)}: expected a list of workloads such as ${WORKLOAD_EXAMPLE}`);
    return [];
  }
  const workloads = parsed.map((entry, i) => readWorkload(entry, i, context, problems)).filter((w): w is WorkloadConfig => w !== undefined);
  const seen = new Set<string>();
  for (const w of workloads) {
    const id = `${w.namespace}/${w.name}`;
    if (seen.has(id)) problems.push(`${q("workloads")} has two workloads named ${JSON.stringify(w.name)} in namespace ${w.namespace}: names must be unique per namespace`);
    seen.add(id);
  }
  return workloads;
}

/** The experiment keys (raw strings as the stack holds them), with every problem found. */
export function resolveExperiments(
  raw: { ipamConfig?: string; workerLabels?: string; namespaces?: string; workloads?: string },
  context: ExperimentContext,
): ExperimentsResult {
  const problems: string[] = [];
  return {
    ipamConfig: readIpamConfig(raw.ipamConfig, problems),
    workerLabels: readWorkerLabels(raw.workerLabels, context, problems),
    namespaces: readNamespaces(raw.namespaces, context, problems),
    workloads: readWorkloads(raw.workloads, context, problems),
    problems,
  };
}
