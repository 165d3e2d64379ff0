// Address math shared by every stage, on one parser: addresses and networks as Go reads them (kind,
// Calico: net.ParseIP, net.ParseCIDR), exact for IPv6 (bigint). Cluster data is read with the lenient
// parseNetwork, as Calico reads it; the stack config with parseCidr, built on it, which also refuses
// what Go would quietly fix (host bits, a prefix written oddly) and says what was meant. Overlap and
// containment never hold across families, as Go's IPNet.Contains. Imports nothing from the lab.
import * as ipaddr from "ipaddr.js";

export type IpFamily = "IPv4" | "IPv6";

/** An address: `value` is its integer within the family, `text` its canonical form. */
export interface Address {
  family: IpFamily;
  value: bigint;
  text: string;
}

/** A network, written canonically (`text`), as Calico compares pools by their CIDR string. */
export interface Cidr {
  family: IpFamily;
  bits: 32 | 128;
  prefix: number;
  /** The first address. */
  network: string;
  text: string;
}

/** A network with its addresses as integers, as the lenient parse gives it: for counting and placing addresses. */
export interface Network extends Cidr {
  /** First address, as an integer within the family. */
  start: bigint;
  /** Number of addresses: 2^(bits - prefix). */
  size: bigint;
}

/** The network, or why the text is not one (and the fix, when there is an obvious one). */
export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; problem: string; suggestion?: string };

/** Calico's operator accepts these block sizes (not enforced by the CRD schema, so checked here). */
export const BLOCK_SIZE_RANGE: Record<IpFamily, { min: number; max: number; calicoDefault: number }> = {
  IPv4: { min: 20, max: 32, calicoDefault: 26 },
  IPv6: { min: 116, max: 128, calicoDefault: 122 },
};

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function fromBigInt(value: bigint, family: IpFamily): string {
  if (family === "IPv4") {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const bytes: number[] = [];
  for (let i = 0; i < 16; i++) {
    bytes.unshift(Number(value & 255n));
    value >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** An address as Go's net.ParseIP takes it (IPv4 as four decimal octets without leading zeros, no zone), or undefined. */
export function parseAddress(text: unknown): Address | undefined {
  if (typeof text !== "string" || text.length > 64) return undefined;
  if (text.includes(":")) {
    if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
    const value = toBigInt(ipaddr.IPv6.parse(text).toByteArray());
    return { family: "IPv6", value, text: fromBigInt(value, "IPv6") };
  }
  if (!/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(text)) return undefined;
  const octets = text.split(".").map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const value = BigInt(((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0);
  // Four decimal octets without leading zeros are already canonical.
  return { family: "IPv4", value, text };
}

/**
 * An address as Go prints what net.ParseIP read (IP.String): parseAddress, with an IPv4-mapped IPv6
 * address ("::ffff:10.0.0.5") given as the IPv4 address it holds (net.IP.To4), as Calico keys addresses.
 */
export function parseGoIp(text: unknown): Address | undefined {
  const address = parseAddress(text);
  if (address?.family === "IPv6" && address.value >> 32n === 0xffffn) {
    const value = address.value & 0xffffffffn;
    return { family: "IPv4", value, text: fromBigInt(value, "IPv4") };
  }
  return address;
}

/**
 * A network as Go's net.ParseCIDR takes it (host bits allowed and dropped; the prefix length in
 * decimal digits, leading zeros allowed, as its dtoi reads it), or undefined.
 */
export function parseNetwork(text: unknown): Network | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0 || !/^\d+$/.test(text.slice(slash + 1))) return undefined;
  const address = parseAddress(text.slice(0, slash));
  if (!address) return undefined;
  const bits = address.family === "IPv4" ? 32 : 128;
  const prefix = Number(text.slice(slash + 1));
  if (prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const start = address.value - (address.value % size);
  // Cluster data is almost always canonical already: then its own text is kept, not rebuilt.
  const network = start === address.value ? address.text : fromBigInt(start, address.family);
  const canonical = network === text.slice(0, slash) && text.length === slash + 1 + String(prefix).length ? text : `${network}/${prefix}`;
  return { family: address.family, bits, prefix, network, text: canonical, start, size };
}

/**
 * A network as the stack config must write it: what parseNetwork takes, with no host bits and, for
 * IPv4, in canonical text. Anything else is refused with the reason, and the fix when there is one.
 */
export function parseCidr(text: string): CidrParse {
  const parsed = parseNetwork(text);
  if (!parsed) return notANetwork(text);
  if ((parseAddress(text.slice(0, text.indexOf("/"))) as Address).value !== parsed.start) {
    return { ok: false, problem: `has host bits set (the network of /${parsed.prefix} is ${parsed.network})`, suggestion: parsed.text };
  }
  if (parsed.family === "IPv4" && parsed.text !== text) {
    return { ok: false, problem: "is not written canonically", suggestion: parsed.text };
  }
  // The config keeps the network as text; the integer range is worked out again where it is needed.
  const { family, bits, prefix, network } = parsed;
  return { ok: true, cidr: { family, bits, prefix, network, text: parsed.text } };
}

/** Why parseNetwork refuses the text. ipaddr.js reads more forms than Go, and those get a reason of their own. */
function notANetwork(text: string): CidrParse {
  if (ipaddr.isValidCIDR(text)) {
    const [address] = ipaddr.parseCIDR(text);
    // "10/8", octal "010.0.0.0/8": ipaddr takes them, Go (kind, Calico) only takes dotted quads.
    if (address.kind() === "ipv4") return { ok: false, problem: "is not a dotted-quad IPv4 CIDR (four decimal numbers, no leading zeros)" };
    if ((address as ipaddr.IPv6).zoneId !== undefined) return { ok: false, problem: "has an IPv6 zone index (%...), which a network cannot have" };
  }
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

/** A network's addresses as integers: read off a Network, worked out from the text of any other Cidr. */
function rangeOf(cidr: Cidr): { start: bigint; size: bigint } {
  if ("start" in cidr) return cidr as Network;
  return { start: (parseAddress(cidr.network) as Address).value, size: addressCount(cidr.prefix, cidr.bits) };
}

/** True when the two networks share at least one address (never across families). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const ra = rangeOf(a);
  const rb = rangeOf(b);
  return ra.start < rb.start + rb.size && rb.start < ra.start + ra.size;
}

/** True when every address of `inner`, a network or one address, is in `outer` (never across families). */
export function cidrContains(outer: Cidr, inner: Cidr | Address): boolean {
  if (outer.family !== inner.family) return false;
  const { start, size } = rangeOf(outer);
  if ("value" in inner) return inner.value >= start && inner.value < start + size;
  const range = rangeOf(inner);
  return range.start >= start && range.start + range.size <= start + size;
}

/** The address `offset` addresses after the start of a network. */
export function addressAt(n: Network, offset: bigint): string {
  return fromBigInt(n.start + offset, n.family);
}

/** IPv4 first, then by first address, then larger networks first. */
export function compareNetworks(a: Network, b: Network): number {
  if (a.family !== b.family) return a.family === "IPv4" ? -1 : 1;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : a.prefix - b.prefix;
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
