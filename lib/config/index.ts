// Validation of the lab's stack configuration: every problem found, reported at once.
// Pure: no Pulumi types, so it is tested directly and `pulumi preview` fails in a second on bad input.
import * as os from "node:os";
import * as path from "node:path";
import { KIND_NODE_IMAGES } from "../core/versions";
import { addressCount, BLOCK_SIZE_RANGE, blockCount, blockSizeForNodes, cidrsOverlap, parseCidr, unionSize, type Cidr } from "../core/cidr";
import {
  CALICO_INSTALLS, CalicoInstall, CONFIG_KEYS, ConfigError, ConfigKey, DEFAULTS, ENCAPSULATIONS, Encapsulation, HOST_NETWORKS,
  LabConfig, NAT_OUTGOING, NatOutgoing, RawConfig, Target, TARGETS,
} from "./keys";
import {
  Check, SERVICE_CIDR_RULES, VPC_CIDR_RULES, WHY, bool, calicoVersion, cidr, instanceType, isConfigKey, kubeconfig, kubeconfigPath,
  isValue, kubernetesVersion, labName, nodeImage, nodeSelector, oneOf, podCidrRules, q, show, squash, sshPublicKey, stackId, wholeNumber,
} from "./checks";
import { resolveExperiments } from "./experiments";
import { resolvePools, SINGLE_POOL_KEYS } from "./pools";

export * from "./keys";

/** "~/x" as a shell would read it: Pulumi hands the value over as typed, and users type ~. */
export function expandHome(file: string | undefined, home = os.homedir()): string | undefined {
  return file === "~" || file?.startsWith("~/") ? path.join(home, file.slice(1)) : file;
}

/** Ranges no pod or service may use, wherever the cluster runs. */
const SPECIAL_NETWORKS = [
  { cidr: "0.0.0.0/8", what: "0.0.0.0/8 (\"this network\", not routable)" },
  { cidr: "127.0.0.0/8", what: "loopback (127.0.0.0/8)" },
  { cidr: "169.254.0.0/16", what: "link-local (169.254.0.0/16, where the EC2 metadata service lives)" },
  { cidr: "224.0.0.0/4", what: "multicast (224.0.0.0/4)" },
  { cidr: "240.0.0.0/4", what: "reserved space (240.0.0.0/4)" },
] as const;

function unknownKeyMessage(key: string): string {
  const near = CONFIG_KEYS.find((k) => squash(k) === squash(key));
  return near
    ? `${q(key)} is not a setting of this lab: did you mean ${near}? (npm run pulumi -- config rm ${q(key)}, then set ${q(near)})`
    : `${q(key)} is not a setting of this lab; the settings are ${CONFIG_KEYS.join(", ")}`;
}

const EMPTY_MEANS: Partial<Record<ConfigKey, string>> = {
  allowedCidrs: "your public IPv4 address, detected at run time",
  sshPublicKey: "a generated ED25519 key",
};

class Problems {
  readonly list: string[] = [];
  readonly bad = new Set<ConfigKey>();
  add(message: string): void {
    this.list.push(message);
  }
  value(key: ConfigKey, value: string, why: string): void {
    this.bad.add(key);
    // Never echo a kubeconfig or a pasted private key into a log.
    const hidden = key === "kubeconfig" || value.includes("PRIVATE KEY");
    this.list.push(hidden ? `${q(key)} (value not shown): ${why}` : isValue(q(key), show(value), why));
  }
}

/** Trimmed values of the keys that are set; empty ones and unknown keys are reported. */
function readValues(raw: RawConfig, p: Problems): Partial<Record<ConfigKey, string>> {
  const values: Partial<Record<ConfigKey, string>> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (!isConfigKey(key)) {
      p.add(unknownKeyMessage(key));
    } else if (value.trim() === "") {
      const def = key in DEFAULTS ? `the default ${JSON.stringify(DEFAULTS[key as keyof typeof DEFAULTS])}` : EMPTY_MEANS[key] ?? "nothing";
      p.value(key, value, `empty; set a value, or remove the key (npm run pulumi -- config rm ${q(key)}) to get ${def}`);
    } else {
      values[key] = key === "kubeconfig" ? value : value.trim();
    }
  }
  return values;
}

/** A JSON list or a comma-separated list; each entry must be a CIDR (a bare address gets a /32 hint). */
function allowedCidrs(value: string | undefined, p: Problems): string[] | undefined {
  if (value === undefined) return undefined;
  let items: string[];
  if (value.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
      p.value("allowedCidrs", value, `expected a JSON list of CIDR strings or a comma-separated list, such as "203.0.113.7/32"`);
      return undefined;
    }
    items = parsed.map((x: string) => x.trim());
  } else {
    items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }
  const check = cidr({ hostOk: true });
  for (const item of items) {
    const why = check(item);
    if (why !== undefined) p.add(`${q("allowedCidrs")} entry ${show(item)} ${why}`);
  }
  return items;
}

/** Parses a CIDR already checked (or a constant); never fails for those. */
function net(text: string): Cidr | undefined {
  const r = parseCidr(text);
  return r.ok ? r.cidr : undefined;
}

function checkPool(c: LabConfig, p: Problems): void {
  const pool = p.bad.has("podCidr") ? undefined : net(c.podCidr);
  if (!pool || p.bad.has("blockSize") || p.bad.has("workers")) return;
  const bs = String(c.blockSize);
  if (c.blockSize < pool.prefix) {
    p.value("blockSize", bs, `a /${bs} block is larger than the pool ${q("podCidr")} ${pool.text}; use ${pool.prefix} to 32`);
    return;
  }
  const nodes = c.workers + 1;
  const blocks = blockCount(pool.prefix, c.blockSize);
  if (blocks < BigInt(nodes)) {
    const better = blockSizeForNodes(pool, nodes);
    p.value(
      "blockSize",
      bs,
      `${q("podCidr")} ${pool.text} holds only ${blocks} /${bs} block(s) but each of the ${nodes} nodes (${q("workers")} ` +
        `${c.workers} + 1 control plane) claims a block of its own; use ${better ? `a blockSize of at least ${better} or ` : ""}a larger podCidr`,
    );
  }
}

function checkOverlaps(c: LabConfig, values: Partial<Record<ConfigKey, string>>, p: Problems): void {
  const keys = ["podCidr", "serviceCidr", "vpcCidr"] as const;
  const nets = new Map(keys.map((k) => [k, p.bad.has(k) ? undefined : net(c[k])]));
  const label = (k: (typeof keys)[number]): string => `${q(k)} ${JSON.stringify(c[k])}${values[k] === undefined ? " (the default)" : ""}`;
  const pairs: [(typeof keys)[number], (typeof keys)[number], string][] = [["podCidr", "serviceCidr", "pod and service addresses must differ"]];
  // The VPC exists only on target aws; elsewhere vpcCidr is never used, so it cannot collide.
  if (c.target === "aws") {
    pairs.push(["podCidr", "vpcCidr", "pod routes would hide the EC2 host's own network"]);
    pairs.push(["serviceCidr", "vpcCidr", "service addresses would hide the EC2 host's own network"]);
  }
  for (const [a, b, why] of pairs) {
    const na = nets.get(a);
    const nb = nets.get(b);
    if (na && nb && cidrsOverlap(na, nb)) p.add(`${label(a)} overlaps ${label(b)}: ${why}; choose ranges that do not overlap`);
  }
  // kind and containerlab networks exist only where the lab builds the cluster itself.
  const fixed = [...SPECIAL_NETWORKS, ...(c.target === "existing" ? [] : HOST_NETWORKS)];
  for (const k of ["podCidr", "serviceCidr"] as const) {
    const mine = nets.get(k);
    const hit = mine && fixed.find((f) => cidrsOverlap(mine, net(f.cidr) as Cidr));
    if (hit) p.add(`${label(k)} overlaps ${hit.cidr}, ${hit.what}; use a range outside it, such as ${DEFAULTS[k]}`);
  }
}

function checkIngress(c: LabConfig, p: Problems): void {
  if (c.target === "aws" && c.allowedCidrs?.length === 0) {
    p.add(`${q("allowedCidrs")} is an empty list: nobody could reach SSH or the Kubernetes API, not even the deploy itself; ` +
      `list your address (a.b.c.d/32), or remove the key to detect it`);
  }
  // The gate looks at what the entries open together, not at a literal /0: 0.0.0.0/1 and 128.0.0.0/1
  // are the whole internet too. More than a /8 (IPv4) or a /32 (IPv6) together counts as open.
  const entries = (c.allowedCidrs ?? []).map(net).filter((x): x is Cidr => x !== undefined);
  for (const [family, bits, limit] of [["IPv4", 32, 8], ["IPv6", 128, 32]] as const) {
    const mine = entries.filter((x) => x.family === family);
    const covered = unionSize(mine);
    if (covered <= addressCount(limit, bits) || c.allowOpenIngress) continue;
    const what = covered === addressCount(0, bits) ? "the whole internet" : `more than a /${limit} of ${family} addresses`;
    p.add(`${q("allowedCidrs")} contains ${mine.map((x) => JSON.stringify(x.text)).join(", ")}: together that opens SSH (22) and the ` +
      `Kubernetes API (6443) to ${what}; list your own address (a.b.c.d/32), or set ${q("allowOpenIngress")} to true if you mean it`);
  }
}

function checkTargetKeys(c: LabConfig, values: Partial<Record<ConfigKey, string>>, p: Problems): void {
  if (p.bad.has("target")) return;
  const given = (["kubeconfig", "kubeconfigPath"] as const).filter((k) => values[k] !== undefined);
  if (c.target !== "existing") {
    for (const k of given) p.add(`${q(k)} is set but ${q("target")} is "${c.target}": it is read only with target "existing"; remove it or set ${q("target")} to existing`);
  } else if (given.length !== 1) {
    const how = `kubectl config view --minify --flatten | npm run pulumi -- config set --secret ${q("kubeconfig")}, or npm run pulumi -- config set ${q("kubeconfigPath")} ~/.kube/config`;
    p.add(given.length === 0
      ? `${q("target")} is "existing" but neither ${q("kubeconfig")} nor ${q("kubeconfigPath")} is set: set one (${how})`
      : `${q("target")} is "existing" and both ${q("kubeconfig")} and ${q("kubeconfigPath")} are set: keep only one`);
  }
}

/** Only a cluster the user brings may already run Calico's operator, or be only read. */
function checkCalicoInstall(c: LabConfig, values: Partial<Record<ConfigKey, string>>, p: Problems): void {
  if (p.bad.has("target") || p.bad.has("calicoInstall")) return;
  if (c.target !== "existing" && c.calicoInstall !== "operator") {
    p.add(`${q("calicoInstall")} is "${c.calicoInstall}" but ${q("target")} is "${c.target}": the lab's new kind cluster has no CNI, ` +
      `so the stack must install the Tigera operator; remove ${q("calicoInstall")} (it is read only with target existing)`);
  }
  if (c.calicoInstall === "none" && values.ipamProbe === "true") {
    p.add(`${q("ipamProbe")} is "true" but ${q("calicoInstall")} is "none": the probe creates a DaemonSet, and "none" writes nothing ` +
      `to the cluster; remove ${q("ipamProbe")}, or set ${q("calicoInstall")} to installation or operator`);
  }
  if (c.calicoInstall === "none") {
    for (const key of ["pools", "ipamConfig", "namespaces", "workloads"] as const) {
      if (values[key] !== undefined) {
        p.add(`${q(key)} is set but ${q("calicoInstall")} is "none": the experiments write to the cluster, and "none" writes nothing; ` +
          `remove ${q(key)}, or set ${q("calicoInstall")} to installation or operator`);
      }
    }
  }
}

/** ipFamily, pools and the experiment keys, which build on the keys above. */
function resolvePoolKeys(c: LabConfig, values: Partial<Record<ConfigKey, string>>, p: Problems): Partial<LabConfig> {
  const good = (key: ConfigKey, value: string): string | undefined => (p.bad.has(key) ? undefined : value);
  const pools = resolvePools(values, {
    target: c.target,
    podCidr: good("podCidr", c.podCidr),
    serviceCidr: good("serviceCidr", c.serviceCidr),
    vpcCidr: good("vpcCidr", c.vpcCidr),
    single: { blockSize: c.blockSize, encapsulation: c.encapsulation, natOutgoing: c.natOutgoing, nodeSelector: c.nodeSelector },
    singleSet: SINGLE_POOL_KEYS.filter((k) => values[k] !== undefined),
  });
  const experiments = resolveExperiments(values, { target: c.target, labName: c.labName, workers: c.workers, pools: pools.pools });
  for (const problem of [...pools.problems, ...experiments.problems]) p.add(problem);
  return {
    ipFamily: pools.ipFamily,
    podCidrV6: pools.podCidrV6,
    serviceCidrV6: pools.serviceCidrV6,
    pools: pools.pools,
    ipamConfig: experiments.ipamConfig,
    workerLabels: experiments.workerLabels,
    namespaces: experiments.namespaces,
    workloads: experiments.workloads,
  };
}

/**
 * Turns raw stack config into a LabConfig with defaults applied, or throws one ConfigError listing
 * every problem found (each names the key, the bad value and what would be accepted).
 */
export function parseLabConfig(raw: RawConfig): LabConfig {
  const p = new Problems();
  const values = readValues(raw, p);
  const take = (key: ConfigKey, check: Check): string | undefined => {
    const v = values[key];
    const why = v === undefined ? undefined : check(v);
    if (v === undefined || why === undefined) return v;
    p.value(key, v, why);
    return undefined;
  };
  const num = (key: ConfigKey, min: number, max: number, why: string, fallback: number): number =>
    Number(take(key, wholeNumber(min, max, why)) ?? fallback);
  const target = (take("target", oneOf(TARGETS)) ?? DEFAULTS.target) as Target;
  const k8sVersion = take("kubernetesVersion", kubernetesVersion(values.nodeImage !== undefined)) ?? DEFAULTS.kubernetesVersion;
  const calicoInstall = (take("calicoInstall", oneOf(CALICO_INSTALLS, { readonly: "none" })) ?? DEFAULTS.calicoInstall) as CalicoInstall;
  const config: LabConfig = {
    target,
    labName: take("labName", labName) ?? DEFAULTS.labName,
    instanceType: take("instanceType", instanceType(target)) ?? DEFAULTS.instanceType,
    rootVolumeGb: num("rootVolumeGb", 20, 16384, WHY.rootVolumeGb, DEFAULTS.rootVolumeGb),
    vpcCidr: take("vpcCidr", cidr(VPC_CIDR_RULES)) ?? DEFAULTS.vpcCidr,
    allowedCidrs: allowedCidrs(values.allowedCidrs, p),
    allowOpenIngress: (take("allowOpenIngress", bool) ?? String(DEFAULTS.allowOpenIngress)) === "true",
    sshPublicKey: take("sshPublicKey", sshPublicKey),
    kubernetesVersion: k8sVersion,
    nodeImage: take("nodeImage", nodeImage) ?? KIND_NODE_IMAGES[k8sVersion] ?? KIND_NODE_IMAGES[DEFAULTS.kubernetesVersion],
    workers: num("workers", 1, 10, WHY.workers, DEFAULTS.workers),
    calicoVersion: take("calicoVersion", calicoVersion(DEFAULTS.calicoVersion)) ?? DEFAULTS.calicoVersion,
    podCidr: take("podCidr", cidr(podCidrRules(target !== "existing"))) ?? DEFAULTS.podCidr,
    serviceCidr: take("serviceCidr", cidr(SERVICE_CIDR_RULES)) ?? DEFAULTS.serviceCidr,
    blockSize: num("blockSize", BLOCK_SIZE_RANGE.IPv4.min, BLOCK_SIZE_RANGE.IPv4.max, WHY.blockSize, DEFAULTS.blockSize),
    encapsulation: (take("encapsulation", oneOf(ENCAPSULATIONS)) ?? DEFAULTS.encapsulation) as Encapsulation,
    natOutgoing: (take("natOutgoing", oneOf(NAT_OUTGOING, { true: "Enabled", false: "Disabled" })) ?? DEFAULTS.natOutgoing) as NatOutgoing,
    nodeSelector: take("nodeSelector", nodeSelector) ?? DEFAULTS.nodeSelector,
    calicoTimeoutMinutes: num("calicoTimeoutMinutes", 1, 120, WHY.calicoTimeoutMinutes, DEFAULTS.calicoTimeoutMinutes),
    ipamProbe: (take("ipamProbe", bool) ?? String(DEFAULTS.ipamProbe)) === "true",
    kubeconfig: take("kubeconfig", kubeconfig),
    kubeconfigPath: expandHome(take("kubeconfigPath", kubeconfigPath)),
    calicoInstall,
    stackId: take("stackId", stackId),
    ipFamily: DEFAULTS.ipFamily,
    pools: [],
    workerLabels: [],
    namespaces: {},
    workloads: [],
  };
  // Read-only writes nothing, so no probe unless asked (and asking is refused below).
  if (calicoInstall === "none" && values.ipamProbe === undefined) config.ipamProbe = false;
  Object.assign(config, resolvePoolKeys(config, values, p));
  if (values.pools === undefined) checkPool(config, p);
  checkOverlaps(config, values, p);
  checkIngress(config, p);
  checkTargetKeys(config, values, p);
  checkCalicoInstall(config, values, p);
  if (p.list.length > 0) throw new ConfigError(p.list);
  return config;
}
