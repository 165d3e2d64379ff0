// Address math shared by every stage: parsing a CIDR the way Go (kind, Calico) reads it, overlap,
// containment and block counts. Exact for IPv6 (bigint). Imports nothing from the lab.
import * as ipaddr from "ipaddr.js";

export type IpFamily = "IPv4" | "IPv6";

/** A parsed network, written canonically (`text`), as Calico compares pools by their CIDR string. */
export interface Cidr {
  family: IpFamily;
  bits: 32 | 128;
  prefix: number;
  network: string;
  text: string;
}

/** The network, or why the text is not one (and the fix, when there is an obvious one). */
export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; problem: string; suggestion?: string };

/** Calico's operator accepts these block sizes (not enforced by the CRD schema, so checked here). */
export const BLOCK_SIZE_RANGE: Record<IpFamily, { min: number; max: number; calicoDefault: number }> = {
  IPv4: { min: 20, max: 32, calicoDefault: 26 },
  IPv6: { min: 116, max: 128, calicoDefault: 122 },
};

export function parseCidr(text: string): CidrParse {
  if (!ipaddr.isValidCIDR(text)) return notACidr(text);
  const [addr, prefix] = ipaddr.parseCIDR(text);
  // ipaddr also accepts "10/8" and octal "010.0.0.0/8"; Go (kind, Calico) only takes dotted quads.
  if (addr.kind() === "ipv4" && !ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) {
    return { ok: false, problem: "is not a dotted-quad IPv4 CIDR (four decimal numbers, no leading zeros)" };
  }
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).zoneId !== undefined) {
    return { ok: false, problem: "has an IPv6 zone index (%...), which a network cannot have" };
  }
  const family: IpFamily = addr.kind() === "ipv4" ? "IPv4" : "IPv6";
  const network = (family === "IPv4" ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(text).toString();
  const canonical = `${network}/${prefix}`;
  if (network !== addr.toString()) {
    return { ok: false, problem: `has host bits set (the network of /${prefix} is ${network})`, suggestion: canonical };
  }
  if (family === "IPv4" && canonical !== text) {
    return { ok: false, problem: "is not written canonically", suggestion: canonical };
  }
  return { ok: true, cidr: { family, bits: family === "IPv4" ? 32 : 128, prefix, network, text: canonical } };
}

function notACidr(text: string): CidrParse {
  const slash = text.lastIndexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  if (slash < 0 && ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { ok: false, problem: "is an address without a prefix length", suggestion: `${text}/32` };
  }
  if (slash < 0 && ipaddr.IPv6.isValid(text)) {
    return { ok: false, problem: "is an address without a prefix length", suggestion: `${text}/128` };
  }
  if (ipaddr.isValid(address) && /^\d+$/.test(text.slice(slash + 1))) {
    const max = ipaddr.parse(address).kind() === "ipv4" ? 32 : 128;
    return { ok: false, problem: `has a prefix length outside /0 to /${max}` };
  }
  return { ok: false, problem: "is not a CIDR (expected address/prefix, such as 192.168.0.0/16)" };
}

/** True when the two networks share at least one address (never across families). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const na = ipaddr.parse(a.network);
  const nb = ipaddr.parse(b.network);
  return na.match(nb, b.prefix) || nb.match(na, a.prefix);
}

/** True when every address of `inner` is in `outer` (never across families). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && ipaddr.parse(inner.network).match(ipaddr.parse(outer.network), outer.prefix);
}

/** Addresses in a network of this prefix length: exact for any IPv6 size. */
export function addressCount(prefix: number, bits: number): bigint {
  return 2n ** BigInt(bits - prefix);
}

/** Blocks of `blockSize` in a pool of `poolPrefix` (0 when the block would not fit). */
export function blockCount(poolPrefix: number, blockSize: number): bigint {
  return blockSize < poolPrefix ? 0n : 2n ** BigInt(blockSize - poolPrefix);
}

/** The smallest block size (largest blocks) that still gives `nodes` blocks, or undefined if none does. */
export function blockSizeForNodes(pool: Cidr, nodes: number): number | undefined {
  const { min, max } = BLOCK_SIZE_RANGE[pool.family];
  for (let size = Math.max(min, pool.prefix); size <= max; size++) {
    if (blockCount(pool.prefix, size) >= BigInt(nodes)) return size;
  }
  return undefined;
}

/**
 * Addresses the networks cover together, each counted once. Two prefix networks either nest or are
 * disjoint, so the union is the sum of those not inside another. All of one family.
 */
export function unionSize(cidrs: Cidr[]): bigint {
  const distinct = cidrs.filter((c, i) => cidrs.findIndex((d) => d.text === c.text) === i);
  const outermost = distinct.filter((c) => !distinct.some((d) => d !== c && cidrContains(d, c)));
  return outermost.reduce((sum, c) => sum + addressCount(c.prefix, c.bits), 0n);
}

/** True when `address` (a pod IP as Kubernetes reports it) lies in `cidr`; false for anything unparsable. */
export function cidrHoldsAddress(cidr: string, address: string): boolean {
  if (!ipaddr.isValidCIDR(cidr) || !ipaddr.isValid(address)) return false;
  const range = ipaddr.parseCIDR(cidr);
  const ip = ipaddr.parse(address);
  return ip.kind() === range[0].kind() && ip.match(range);
}
