// The lab's stack configuration: every key, its default, and its validation.
// Pure: no Pulumi types, so it is tested directly and `pulumi preview` fails in a second on bad input.
import { BLOCK_SIZE_RANGE, blockCount, blockSizeForNodes, cidrsOverlap, parseCidr, type Cidr } from "./ipplan";

export const CONFIG_NAMESPACE = "calico-ipam";

export type Target = "aws" | "local" | "existing";
export type Encapsulation = "VXLANCrossSubnet" | "VXLAN" | "IPIPCrossSubnet" | "IPIP" | "None";
export type NatOutgoing = "Enabled" | "Disabled";

export interface LabConfig {
  /** Where the lab lives: an EC2 host, this machine's Docker, or a cluster the user already has. */
  target: Target;
  /** containerlab lab name and kind cluster name. */
  labName: string;
  instanceType: string;
  rootVolumeGb: number;
  vpcCidr: string;
  /** Undefined: detect the caller's public IPv4 at run time (target aws only). */
  allowedCidrs?: string[];
  allowOpenIngress: boolean;
  /** Undefined: generate an ED25519 key pair. */
  sshPublicKey?: string;
  kubernetesVersion: string;
  workers: number;
  calicoVersion: string;
  podCidr: string;
  serviceCidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: NatOutgoing;
  nodeSelector: string;
  calicoTimeoutMinutes: number;
  ipamProbe: boolean;
  /** target existing: kubeconfig contents (a secret config value) ... */
  kubeconfig?: string;
  /** ... or a path to a kubeconfig file. */
  kubeconfigPath?: string;
}

export const DEFAULTS = {
  target: "aws",
  labName: "calico-ipam",
  instanceType: "t3.xlarge",
  rootVolumeGb: 50,
  vpcCidr: "10.0.0.0/16",
  allowOpenIngress: false,
  kubernetesVersion: "v1.28.0",
  workers: 2,
  calicoVersion: "v3.30.7",
  podCidr: "192.168.0.0/16",
  serviceCidr: "10.96.0.0/16",
  blockSize: 26,
  encapsulation: "VXLANCrossSubnet",
  natOutgoing: "Enabled",
  nodeSelector: "all()",
  calicoTimeoutMinutes: 15,
  ipamProbe: true,
} as const satisfies Partial<LabConfig>;

/** Every key the lab reads, so a typo (`blocksize`) is reported instead of silently ignored. */
export const CONFIG_KEYS = [
  "target", "labName", "instanceType", "rootVolumeGb", "vpcCidr", "allowedCidrs", "allowOpenIngress",
  "sshPublicKey", "kubernetesVersion", "workers", "calicoVersion", "podCidr", "serviceCidr", "blockSize",
  "encapsulation", "natOutgoing", "nodeSelector", "calicoTimeoutMinutes", "ipamProbe", "kubeconfig",
  "kubeconfigPath",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Config values as the stack holds them: strings (objects and lists as JSON), keyed without namespace. */
export type RawConfig = Partial<Record<string, string>>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(
      `calico-ipam: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export const TARGETS = ["aws", "local", "existing"] as const satisfies readonly Target[];
export const ENCAPSULATIONS = ["VXLANCrossSubnet", "VXLAN", "IPIPCrossSubnet", "IPIP", "None"] as const satisfies readonly Encapsulation[];
export const NAT_OUTGOING = ["Enabled", "Disabled"] as const satisfies readonly NatOutgoing[];

/** Networks on the lab host (kind's docker network, containerlab's management network). */
export const HOST_NETWORKS = [
  { cidr: "172.18.0.0/16", what: "the docker network kind puts its node containers on" },
  { cidr: "172.20.20.0/24", what: "containerlab's management network" },
] as const;

/** Ranges no pod or service may use, wherever the cluster runs. */
const SPECIAL_NETWORKS = [
  { cidr: "0.0.0.0/8", what: "0.0.0.0/8 (\"this network\", not routable)" },
  { cidr: "127.0.0.0/8", what: "loopback (127.0.0.0/8)" },
  { cidr: "169.254.0.0/16", what: "link-local (169.254.0.0/16, where the EC2 metadata service lives)" },
  { cidr: "224.0.0.0/4", what: "multicast (224.0.0.0/4)" },
  { cidr: "240.0.0.0/4", what: "reserved space (240.0.0.0/4)" },
] as const;

const SSH_KEY_TYPES = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

const q = (key: string): string => `${CONFIG_NAMESPACE}:${key}`;
/** JSON quotes make stray spaces visible; long values are cut so one problem stays one line. */
const show = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
/** Case and separators ignored: "block-size" and "blocksize" both mean blockSize. */
const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, "");
const isConfigKey = (key: string): key is ConfigKey => (CONFIG_KEYS as readonly string[]).includes(key);

/** A check returns what is wrong with a value, or undefined when it is fine. */
type Check = (value: string) => string | undefined;

function unknownKeyMessage(key: string): string {
  const near = CONFIG_KEYS.find((k) => squash(k) === squash(key));
  return near
    ? `${q(key)} is not a setting of this lab: did you mean ${near}? (pulumi config rm ${q(key)}, then set ${q(near)})`
    : `${q(key)} is not a setting of this lab; the settings are ${CONFIG_KEYS.join(", ")}`;
}

/** For fully qualified keys (`calico-ipam:blocksize`): one message per key of this namespace the lab does not read. */
export function unknownConfigKeys(allKeys: string[]): string[] {
  const prefix = `${CONFIG_NAMESPACE}:`;
  return allKeys
    .filter((k) => k.startsWith(prefix) && !isConfigKey(k.slice(prefix.length)))
    .map((k) => unknownKeyMessage(k.slice(prefix.length)));
}

function oneOf(allowed: readonly string[], aliases: Record<string, string> = {}): Check {
  return (v) => {
    if (allowed.includes(v)) return undefined;
    const near = allowed.find((a) => squash(a) === squash(v)) ?? aliases[squash(v)];
    return `expected one of ${allowed.join(", ")}${near ? `; did you mean ${JSON.stringify(near)}?` : ""}`;
  };
}

const bool = oneOf(["true", "false"], { yes: "true", no: "false", on: "true", off: "false" });

function wholeNumber(min: number, max: number, why: string): Check {
  return (v) => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `expected a whole number from ${min} to ${max}: ${why}`);
}

function version(example: string): Check {
  return (v) => {
    if (/^v\d+\.\d+\.\d+$/.test(v)) return undefined;
    return /^\d+\.\d+\.\d+$/.test(v) ? `expected vX.Y.Z with a leading "v": did you mean "v${v}"?` : `expected vX.Y.Z, such as ${example}`;
  };
}

interface CidrRules {
  ipv4Only?: string;
  prefix?: { min: number; max: number; why: string };
  /** A bare address is a plausible host entry (allowedCidrs): suggest it as a /32. */
  hostOk?: boolean;
}

function cidr(rules: CidrRules): Check {
  return (v) => {
    const parsed = parseCidr(v);
    if (!parsed.ok) {
      const s = parsed.suggestion;
      const useful = s !== undefined && (rules.hostOk || !/\/(32|128)$/.test(s));
      return `${parsed.problem}${useful ? `; did you mean ${JSON.stringify(s)}?` : ""}`;
    }
    const { family, prefix } = parsed.cidr;
    if (rules.ipv4Only && family !== "IPv4") return rules.ipv4Only;
    const range = rules.prefix;
    if (range && (prefix < range.min || prefix > range.max)) return `a /${prefix} ${range.why}`;
    return undefined;
  };
}

const labName: Check = (v) => {
  if (/^[a-z0-9][a-z0-9.-]*$/.test(v) && v.length <= 50) return undefined;
  const fix = v.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[.-]+/, "").slice(0, 50);
  const len = v.length > 50 ? ` (this one has ${v.length})` : "";
  return `kind and containerlab take lowercase letters, digits, "." and "-", starting with a letter or digit, ` +
    `at most 50 characters${len}${fix && fix !== v ? `; such as ${JSON.stringify(fix)}` : ""}`;
};

function instanceType(target: Target): Check {
  return (v) => {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/.test(v)) {
      return `expected an AWS instance type of the form family.size, such as ${DEFAULTS.instanceType}`;
    }
    if (/\.(nano|micro|small)$/.test(v)) {
      return `has 2 GiB of memory or less, too little for ${DEFAULTS.workers + 1} kind nodes and Calico; use ${DEFAULTS.instanceType} (16 GiB) or at least a .large`;
    }
    // Graviton families carry a "g" after the generation digit (m7g, c6gn, t4g); the lab's Ubuntu image is amd64.
    if (target === "aws" && /^(a1|[a-z]+\d+[a-z]*g[a-z]*)(-[a-z0-9]+)*\./.test(v)) {
      return `is an arm64 (Graviton) type, but the lab boots an amd64 Ubuntu image; use an Intel or AMD type such as ${DEFAULTS.instanceType} or m7a.xlarge`;
    }
    return undefined;
  };
}

/** SSH wire format: a list of uint32-length-prefixed strings; undefined when the lengths do not add up. */
function sshStrings(body: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    if (at + 4 > body.length) return undefined;
    const len = body.readUInt32BE(at);
    if (at + 4 + len > body.length) return undefined;
    out.push(body.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

const sshPublicKey: Check = (v) => {
  if (v.includes("PRIVATE KEY")) return "is a private key: give the public key, the one line of the .pub file";
  if (v.includes("\n")) return "holds several lines: give exactly one public key";
  const [type, body = ""] = v.split(/\s+/);
  if (!SSH_KEY_TYPES.includes(type)) return `expected an OpenSSH public key line starting with one of ${SSH_KEY_TYPES.join(", ")}`;
  const fields = /^[A-Za-z0-9+/]+={0,2}$/.test(body) && body.length % 4 === 0 ? sshStrings(Buffer.from(body, "base64")) : undefined;
  if (!fields || fields.length < 2) return `the key after "${type}" is not valid base64 key data (truncated or edited?)`;
  const embedded = fields[0].toString("latin1");
  if (embedded !== type) return `the line says ${type} but the key data says ${JSON.stringify(embedded.slice(0, 30))}`;
  const ok = type === "ssh-ed25519" ? fields.length === 2 && fields[1].length === 32
    : type === "ssh-rsa" ? fields.length === 3
    : fields.length === 3 && `ecdsa-sha2-${fields[1].toString("latin1")}` === type;
  return ok ? undefined : `the ${type} key data has the wrong structure (truncated or edited?)`;
};

const nodeSelector: Check = (v) => {
  if (v === "all") return `Calico selectors are expressions: did you mean "all()"?`;
  if (/^[^=!]+=[^=]/.test(v)) return `Calico selectors compare with ==, such as "kubernetes.io/os == 'linux'" (or "all()")`;
  return undefined;
};

const kubeconfig: Check = (v) => {
  if (!v.includes("\n") && !v.trimStart().startsWith("{")) return `looks like a file path, not kubeconfig contents: set ${q("kubeconfigPath")} to it instead`;
  return /\bclusters\b/.test(v) ? undefined : "does not look like a kubeconfig (it has no clusters section)";
};

const kubeconfigPath: Check = (v) => (v.startsWith("~") ? "~ is not expanded here: write the full path, such as /home/you/.kube/config" : undefined);

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
    this.list.push(`${q(key)} ${hidden ? "(value not shown)" : `is ${show(value)}`}: ${why}`);
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
      p.value(key, value, `empty; set a value, or remove the key (pulumi config rm ${q(key)}) to get ${def}`);
    } else {
      values[key] = key === "kubeconfig" ? value : value.trim();
    }
  }
  return values;
}

const WHY = {
  rootVolumeGb:
    "Ubuntu, Docker, the kind node image and Calico's images in every node container take about 10 GiB, and the " +
    "kubelet evicts pods when the disk runs low, so the lab needs at least 20 (gp3 volumes end at 16384)",
  workers:
    "every node is a container on one host running kubelet, containerd and calico-node, and past 10 the host runs " +
    "out of memory and inotify instances; at least 1 worker, so blocks spread over several nodes",
  blockSize: "Calico's operator accepts IPv4 block sizes from 20 to 32; 26 (64 addresses per block) is Calico's default",
  calicoTimeoutMinutes: "minutes to wait for Calico to become ready (it usually takes a few)",
};

function podCidrRules(kind: boolean): CidrRules {
  return {
    ipv4Only: "this lab is single-stack IPv4 (kind's podSubnet and one IPv4 Calico pool): use an IPv4 CIDR such as 192.168.0.0/16",
    // kubeadm (inside kind) carves a /24 per node out of the pod subnet and allows at most 16 bits between the two.
    prefix: kind ? { min: 8, max: 24, why: "is outside /8 to /24, the pod subnets kind's kubeadm accepts (it gives each node a /24)" } : undefined,
  };
}
const SERVICE_CIDR_RULES: CidrRules = {
  ipv4Only: "this lab is single-stack IPv4: the service range must be IPv4 too, such as 10.96.0.0/16",
  prefix: { min: 12, max: 28, why: "is outside /12 to /28: kube-apiserver refuses ranges larger than /12, and kubeadm puts cluster DNS at the tenth address" },
};
const VPC_CIDR_RULES: CidrRules = {
  ipv4Only: "an AWS VPC's primary CIDR is IPv4, such as 10.0.0.0/16",
  prefix: { min: 16, max: 24, why: "is outside /16 to /24: AWS VPCs are /16 to /28, and the lab's public subnet is the VPC's first /24" },
};

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
  const open = (c.allowedCidrs ?? []).filter((x) => net(x)?.prefix === 0);
  if (open.length > 0 && !c.allowOpenIngress) {
    p.add(`${q("allowedCidrs")} contains ${open.map((x) => JSON.stringify(x)).join(", ")}: that opens SSH (22) and the Kubernetes ` +
      `API (6443) to the whole internet; list your own address (a.b.c.d/32), or set ${q("allowOpenIngress")} to true if you mean it`);
  }
}

function checkTargetKeys(c: LabConfig, values: Partial<Record<ConfigKey, string>>, p: Problems): void {
  if (p.bad.has("target")) return;
  const given = (["kubeconfig", "kubeconfigPath"] as const).filter((k) => values[k] !== undefined);
  if (c.target !== "existing") {
    for (const k of given) p.add(`${q(k)} is set but ${q("target")} is "${c.target}": it is read only with target "existing"; remove it or set ${q("target")} to existing`);
  } else if (given.length !== 1) {
    const how = `pulumi config set --secret ${q("kubeconfig")} < ~/.kube/config, or pulumi config set ${q("kubeconfigPath")} /full/path`;
    p.add(given.length === 0
      ? `${q("target")} is "existing" but neither ${q("kubeconfig")} nor ${q("kubeconfigPath")} is set: set one (${how})`
      : `${q("target")} is "existing" and both ${q("kubeconfig")} and ${q("kubeconfigPath")} are set: keep only one`);
  }
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
  const config: LabConfig = {
    target,
    labName: take("labName", labName) ?? DEFAULTS.labName,
    instanceType: take("instanceType", instanceType(target)) ?? DEFAULTS.instanceType,
    rootVolumeGb: num("rootVolumeGb", 20, 16384, WHY.rootVolumeGb, DEFAULTS.rootVolumeGb),
    vpcCidr: take("vpcCidr", cidr(VPC_CIDR_RULES)) ?? DEFAULTS.vpcCidr,
    allowedCidrs: allowedCidrs(values.allowedCidrs, p),
    allowOpenIngress: (take("allowOpenIngress", bool) ?? String(DEFAULTS.allowOpenIngress)) === "true",
    sshPublicKey: take("sshPublicKey", sshPublicKey),
    kubernetesVersion: take("kubernetesVersion", version(DEFAULTS.kubernetesVersion)) ?? DEFAULTS.kubernetesVersion,
    workers: num("workers", 1, 10, WHY.workers, DEFAULTS.workers),
    calicoVersion: take("calicoVersion", version(DEFAULTS.calicoVersion)) ?? DEFAULTS.calicoVersion,
    podCidr: take("podCidr", cidr(podCidrRules(target !== "existing"))) ?? DEFAULTS.podCidr,
    serviceCidr: take("serviceCidr", cidr(SERVICE_CIDR_RULES)) ?? DEFAULTS.serviceCidr,
    blockSize: num("blockSize", BLOCK_SIZE_RANGE.IPv4.min, BLOCK_SIZE_RANGE.IPv4.max, WHY.blockSize, DEFAULTS.blockSize),
    encapsulation: (take("encapsulation", oneOf(ENCAPSULATIONS)) ?? DEFAULTS.encapsulation) as Encapsulation,
    natOutgoing: (take("natOutgoing", oneOf(NAT_OUTGOING, { true: "Enabled", false: "Disabled" })) ?? DEFAULTS.natOutgoing) as NatOutgoing,
    nodeSelector: take("nodeSelector", nodeSelector) ?? DEFAULTS.nodeSelector,
    calicoTimeoutMinutes: num("calicoTimeoutMinutes", 1, 120, WHY.calicoTimeoutMinutes, DEFAULTS.calicoTimeoutMinutes),
    ipamProbe: (take("ipamProbe", bool) ?? String(DEFAULTS.ipamProbe)) === "true",
    kubeconfig: take("kubeconfig", kubeconfig),
    kubeconfigPath: take("kubeconfigPath", kubeconfigPath),
  };
  checkPool(config, p);
  checkOverlaps(config, values, p);
  checkIngress(config, p);
  checkTargetKeys(config, values, p);
  if (p.list.length > 0) throw new ConfigError(p.list);
  return config;
}
