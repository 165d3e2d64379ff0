// The lab's IP pools: `ipFamily`, and `pools` or the single-pool keys (podCidr, blockSize,
// encapsulation, natOutgoing, nodeSelector) that describe a one-pool lab. Rules are the ones the
// Tigera operator (v1.38 pkg/controller/ippool/validation.go ValidatePools, defaults.go) and Calico's
// API server (libcalico-go clientv3/ippool.go validateAndSetDefaults) apply, checked before anything
// exists so a bad pool never leaves the operator Degraded.
import { BLOCK_SIZE_RANGE, cidrContains, cidrsOverlap, parseCidr, type Cidr, type IpFamily } from "../core/cidr";
import type { AssignmentMode, ClusterIpFamily, Encapsulation, NatOutgoing, PoolSettings, Target } from "../core/types";
import { nodeSelector as nodeSelectorCheck, isValue, oneOf, q, show } from "./checks";
import { ENCAPSULATIONS, HOST_NETWORKS, NAT_OUTGOING } from "./keys";
import {
  asBoolean, asString, asWholeNumber, DNS_SUBDOMAIN, listEntry, parseJson, type Json,
} from "./structured";

/** The operator's names for the pools of a one-pool (or one-pool-per-family) Installation. */
export const DEFAULT_IPV4_POOL_NAME = "default-ipv4-ippool";
export const DEFAULT_IPV6_POOL_NAME = "default-ipv6-ippool";
/** kind's own IPv6 defaults (pkg/internal/apis/config/default.go): a /56 leaves a /64 per node. */
export const IPV6_POD_CIDR = "fd00:10:244::/56";
export const IPV6_SERVICE_CIDR = "fd00:10:96::/112";

export const IP_FAMILIES = ["ipv4", "dual"] as const satisfies readonly ClusterIpFamily[];
export const ASSIGNMENT_MODES = ["Automatic", "Manual"] as const satisfies readonly AssignmentMode[];
export const POOL_FIELDS = [
  "name", "cidr", "blockSize", "nodeSelector", "encapsulation", "natOutgoing", "disableNewAllocations", "assignmentMode",
] as const;
/** The keys that describe the one pool of a lab without `pools`. */
export const SINGLE_POOL_KEYS = ["blockSize", "encapsulation", "natOutgoing", "nodeSelector"] as const;

/** IPIP carries only IPv4 (Calico: "IPIP is not supported on an IPv6 IP pool"). */
const IPV6_ENCAPSULATIONS = ["None", "VXLAN", "VXLANCrossSubnet"] as const;
/** The operator's per-family defaults (defaults.go fillDefaults), except the lab's IPv4 encapsulation. */
const FAMILY_DEFAULTS: Record<IpFamily, { encapsulation: Encapsulation; natOutgoing: NatOutgoing }> = {
  IPv4: { encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled" },
  IPv6: { encapsulation: "None", natOutgoing: "Disabled" },
};

export const POOLS_EXAMPLE = `[{"name": "rack-a", "cidr": "192.168.0.0/18", "nodeSelector": "rack == 'a'"}]`;

/** What the pool rules need from the keys parsed before them (undefined where those were bad). */
export interface PoolContext {
  target: Target;
  podCidr?: string;
  serviceCidr?: string;
  vpcCidr?: string;
  /** The single-pool keys' values (defaults where unset). */
  single: { blockSize: number; encapsulation: Encapsulation; natOutgoing: NatOutgoing; nodeSelector: string };
  /** The single-pool keys the user set. */
  singleSet: string[];
}

export interface PoolsResult {
  ipFamily: ClusterIpFamily;
  podCidrV6?: string;
  serviceCidrV6?: string;
  pools: PoolSettings[];
  problems: string[];
}

function parseIpFamily(value: string | undefined, target: Target, problems: string[]): ClusterIpFamily {
  if (value === undefined) return "ipv4";
  if (value === "ipv6") {
    problems.push(
      `${q("ipFamily")} is "ipv6": an IPv6-only lab is not supported: the lab host's network (the VPC, Docker's default ` +
        `bridge) is IPv4-only, so IPv6-only pods could neither resolve nor reach anything outside the cluster; use "dual"`,
    );
    return "ipv4";
  }
  const why = oneOf(IP_FAMILIES)(value);
  if (why) {
    problems.push(isValue(q("ipFamily"), show(value), why));
    return "ipv4";
  }
  if (value === "dual" && target === "existing") {
    problems.push(`${q("ipFamily")} is "dual" but ${q("target")} is "existing": the lab builds dual-stack only into the clusters it creates (aws, local)`);
    return "ipv4";
  }
  return value as ClusterIpFamily;
}

function net(text: string | undefined): Cidr | undefined {
  if (text === undefined) return undefined;
  const r = parseCidr(text);
  return r.ok ? r.cidr : undefined;
}

/** One entry of `pools`, with defaults filled in the way the operator would. */
function readPool(value: Json, index: number, ipFamily: ClusterIpFamily, problems: string[]): PoolSettings | undefined {
  const read = listEntry("pools", index, value, POOL_FIELDS, POOLS_EXAMPLE.slice(1, -1), problems);
  if (!read) return undefined;
  const { fields: entry, where, suggested, bad: field } = read;

  const name = asString(entry.name);
  if (name === undefined || name === "") {
    if (!suggested.has("name")) problems.push(`${where} has no name: give each pool one, such as "rack-a" (workloads and namespaces refer to pools by name)`);
  } else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    field("name", `Calico pool names are Kubernetes names: lowercase letters, digits, "-" and ".", such as "rack-a"`);
  }

  const cidrText = asString(entry.cidr);
  const parsed = cidrText === undefined ? undefined : parseCidr(cidrText);
  let family: IpFamily | undefined;
  if (parsed === undefined) {
    if (!suggested.has("cidr")) problems.push(`${where} has no cidr: give the pool's network, such as "192.168.0.0/18"`);
  } else if (!parsed.ok) {
    field("cidr", `${parsed.problem}${parsed.suggestion ? `; did you mean ${JSON.stringify(parsed.suggestion)}?` : ""}`);
    // Still judge the block size, by the family the text looks like.
    family = cidrText?.includes(":") ? "IPv6" : "IPv4";
  } else {
    family = parsed.cidr.family;
    if (family === "IPv6" && ipFamily === "ipv4") {
      field("cidr", `is an IPv6 pool, but ${q("ipFamily")} is "ipv4" (the default): set ${q("ipFamily")} to "dual", or drop the pool`);
      family = undefined;
    }
  }

  const range = BLOCK_SIZE_RANGE[family ?? "IPv4"];
  let blockSize = family ? range.calicoDefault : 0;
  if (entry.blockSize !== undefined) {
    const size = asWholeNumber(entry.blockSize);
    if (size === undefined || (family !== undefined && (size < range.min || size > range.max))) {
      field("blockSize", `expected a whole number from ${range.min} to ${range.max}, the block sizes Calico's operator accepts for ${family ?? "IPv4"} pools`);
    } else {
      blockSize = size;
      if (family && parsed?.ok && size < parsed.cidr.prefix) {
        field("blockSize", `a /${size} block is larger than the pool ${parsed.cidr.text}; use ${parsed.cidr.prefix} to ${range.max}`);
      }
    }
  }

  const defaults = FAMILY_DEFAULTS[family ?? "IPv4"];
  const encapsulation = (asString(entry.encapsulation) ?? defaults.encapsulation) as Encapsulation;
  const allowed: readonly string[] = family === "IPv6" ? IPV6_ENCAPSULATIONS : ENCAPSULATIONS;
  const encapsulationWhy = oneOf(allowed)(encapsulation);
  if (encapsulationWhy) {
    const ipip = family === "IPv6" && (ENCAPSULATIONS as readonly string[]).includes(encapsulation);
    field("encapsulation", ipip ? `IPIP carries only IPv4; an IPv6 pool takes ${allowed.join(", ")}` : encapsulationWhy);
  }
  const natOutgoing = (asString(entry.natOutgoing) ?? defaults.natOutgoing) as NatOutgoing;
  const natWhy = oneOf(NAT_OUTGOING, { true: "Enabled", false: "Disabled" })(natOutgoing);
  if (natWhy) field("natOutgoing", natWhy);
  const nodeSelector = asString(entry.nodeSelector) ?? "all()";
  const selectorWhy = nodeSelector === "" ? `must not be empty (the operator refuses it); "all()" selects every node` : nodeSelectorCheck(nodeSelector);
  if (selectorWhy) field("nodeSelector", selectorWhy);
  const disableNewAllocations = entry.disableNewAllocations === undefined ? false : asBoolean(entry.disableNewAllocations);
  if (disableNewAllocations === undefined) field("disableNewAllocations", "expected true or false");
  const assignmentMode = (asString(entry.assignmentMode) ?? "Automatic") as AssignmentMode;
  const modeWhy = oneOf(ASSIGNMENT_MODES)(assignmentMode);
  if (modeWhy) field("assignmentMode", modeWhy);

  if (!read.clean() || !name || !parsed?.ok) return undefined;
  return {
    name, cidr: parsed.cidr.text, blockSize, encapsulation, natOutgoing, nodeSelector,
    disableNewAllocations: disableNewAllocations ?? false, assignmentMode,
  };
}

/** Pools against each other and against the cluster's pod ranges. */
function checkPoolSet(pools: PoolSettings[], context: PoolContext, ipFamily: ClusterIpFamily, problems: string[]): void {
  const label = (p: PoolSettings): string => `${q("pools")} entry ${JSON.stringify(p.name)} (${p.cidr})`;
  const seen = new Map<string, PoolSettings>();
  for (const pool of pools) {
    const twin = seen.get(pool.name);
    if (twin) problems.push(`${label(pool)} has the same name as ${label(twin)}: pool names must be unique`);
    seen.set(pool.name, pool);
  }
  const nets = pools.map((p) => net(p.cidr) as Cidr);
  for (let i = 0; i < pools.length; i++) {
    for (let j = 0; j < i; j++) {
      if (cidrsOverlap(nets[i], nets[j])) {
        problems.push(`${label(pools[i])} overlaps ${label(pools[j])}: Calico refuses overlapping pools; give each its own range`);
      }
    }
  }
  const podV4 = net(context.podCidr);
  const podV6 = net(IPV6_POD_CIDR) as Cidr;
  const neighbours = [
    { key: "serviceCidr", cidr: net(context.serviceCidr) },
    ...(context.target === "aws" ? [{ key: "vpcCidr", cidr: net(context.vpcCidr) }] : []),
  ];
  pools.forEach((pool, i) => {
    const range = nets[i].family === "IPv4" ? podV4 : podV6;
    if (!range || cidrContains(range, nets[i])) return;
    const hits = [
      ...neighbours.filter((n) => n.cidr && cidrsOverlap(n.cidr, nets[i])).map((n) => `${q(n.key)} ${n.cidr?.text}`),
      ...(context.target === "existing" ? [] : HOST_NETWORKS.filter((h) => cidrsOverlap(net(h.cidr) as Cidr, nets[i])).map((h) => `${h.cidr}, ${h.what}`)),
    ];
    const also = hits.length > 0 ? ` It also overlaps ${hits.join(" and ")}.` : "";
    problems.push(nets[i].family === "IPv4"
      ? `${label(pool)} is outside ${q("podCidr")} ${range.text}, the cluster's pod range (kind's podSubnet): the operator refuses, ` +
        `when it installs Calico, any pool outside it. Put the pool inside it, or set ${q("podCidr")} to a range holding every ` +
        `IPv4 pool (a new podCidr replaces the cluster).${also}`
      : `${label(pool)} is outside ${IPV6_POD_CIDR}, the cluster's IPv6 pod range (kind's IPv6 podSubnet): put the pool inside it, such as fd00:10:244:1::/64.${also}`);
  });
  const families: IpFamily[] = ipFamily === "dual" ? ["IPv4", "IPv6"] : ["IPv4"];
  for (const family of families) {
    const ofFamily = pools.filter((_, i) => nets[i].family === family);
    if (ofFamily.length === 0) {
      problems.push(family === "IPv6"
        ? `${q("ipFamily")} is "dual" but ${q("pools")} has no IPv6 pool: add one inside ${IPV6_POD_CIDR}, such as {"name": "${DEFAULT_IPV6_POOL_NAME}", "cidr": "${IPV6_POD_CIDR}"}`
        : `${q("pools")} has no IPv4 pool: every pod needs an IPv4 address; add one inside ${q("podCidr")}`);
    } else if (!ofFamily.some((p) => !p.disableNewAllocations && p.assignmentMode === "Automatic")) {
      problems.push(`${q("pools")}: no ${family} pool hands out addresses on its own (all have disableNewAllocations true or assignmentMode Manual), ` +
        `so Calico's own pods and the IPAM probe would never start; keep at least one ${family} pool enabled and Automatic`);
    }
  }
}

/** The pools of a lab without `pools`: the single-pool keys' pool, and an IPv6 pool for dual. */
function defaultPools(context: PoolContext, ipFamily: ClusterIpFamily): PoolSettings[] {
  const pools: PoolSettings[] = [{
    name: DEFAULT_IPV4_POOL_NAME,
    cidr: context.podCidr ?? "",
    ...context.single,
    disableNewAllocations: false,
    assignmentMode: "Automatic",
  }];
  if (ipFamily === "dual") {
    pools.push({
      name: DEFAULT_IPV6_POOL_NAME, cidr: IPV6_POD_CIDR, blockSize: BLOCK_SIZE_RANGE.IPv6.calicoDefault, ...FAMILY_DEFAULTS.IPv6,
      nodeSelector: "all()", disableNewAllocations: false, assignmentMode: "Automatic",
    });
  }
  return pools;
}

/** `ipFamily` and `pools` (raw strings as the stack holds them), with every problem found. */
export function resolvePools(raw: { ipFamily?: string; pools?: string }, context: PoolContext): PoolsResult {
  const problems: string[] = [];
  const ipFamily = parseIpFamily(raw.ipFamily, context.target, problems);
  const v6 = ipFamily === "dual" ? { podCidrV6: IPV6_POD_CIDR, serviceCidrV6: IPV6_SERVICE_CIDR } : {};
  if (raw.pools === undefined) return { ipFamily, ...v6, pools: defaultPools(context, ipFamily), problems };

  for (const key of context.singleSet) {
    problems.push(`${q(key)} is set, and so is ${q("pools")}, which describes every pool: set ${key} in each pool entry ` +
      `and drop ${q(key)} (pulumi config rm ${q(key)})`);
  }
  const list = parseJson("pools", raw.pools, `a list of pools such as ${POOLS_EXAMPLE}`, problems);
  if (list === undefined) return { ipFamily, ...v6, pools: [], problems };
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(`${q("pools")} is ${show(raw.pools)}: expected a non-empty list of pools such as ${POOLS_EXAMPLE}` +
      `; remove the key for the one pool of ${q("podCidr")}`);
    return { ipFamily, ...v6, pools: [], problems };
  }
  const pools = list.map((entry, i) => readPool(entry, i, ipFamily, problems));
  const good = pools.filter((p): p is PoolSettings => p !== undefined);
  if (good.length === pools.length) checkPoolSet(good, context, ipFamily, problems);
  return { ipFamily, ...v6, pools: good, problems };
}
