// Networks as Calico's Go code reads them (net.ParseCIDR: four decimal octets, no zone, host bits
// dropped; printed canonically, IPv6 as RFC 5952), kept per family: an IPv4 block is never inside an
// IPv6 pool, as Go's IPNet.Contains is false across families. Exact for IPv6 (bigint).
import * as ipaddr from "ipaddr.js";
import type { IpFamily } from "./types";

export interface Network {
  family: IpFamily;
  bits: 32 | 128;
  prefix: number;
  /** First address, as an integer within the family. */
  start: bigint;
  /** Number of addresses: 2^(bits - prefix). */
  size: bigint;
  /** Canonical text (10.45.3.0/26, fd00:45::40/122), as calicoctl prints it. */
  text: string;
}

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

/** An address as Go's net.ParseIP takes it, or undefined. */
export function parseAddress(text: unknown): { family: IpFamily; value: bigint; text: string } | undefined {
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
  return { family: "IPv4", value, text: octets.join(".") };
}

/** A network as Go's net.ParseCIDR takes it (host bits allowed and dropped), or undefined. */
export function parseNetwork(text: unknown): Network | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const address = parseAddress(text.slice(0, slash));
  if (!address) return undefined;
  const bits = address.family === "IPv4" ? 32 : 128;
  const prefix = Number(text.slice(slash + 1));
  if (prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const start = address.value - (address.value % size);
  return { family: address.family, bits, prefix, start, size, text: `${fromBigInt(start, address.family)}/${prefix}` };
}

export function overlaps(a: Network, b: Network): boolean {
  return a.family === b.family && a.start < b.start + b.size && b.start < a.start + a.size;
}

export function containsAddress(n: Network, family: IpFamily, value: bigint): boolean {
  return n.family === family && value >= n.start && value < n.start + n.size;
}

/** The address `offset` addresses after the start of a network. */
export function addressAt(n: Network, offset: bigint): string {
  return fromBigInt(n.start + offset, n.family);
}

/** Natural order for names: worker2 before worker10, then plain text order. */
export function compareNatural(a: string, b: string): number {
  const split = (s: string): string[] => s.split(/(\d+)/);
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const numeric = i % 2 === 1;
    if (numeric) {
      const diff = BigInt(pa[i]) - BigInt(pb[i]);
      if (diff !== 0n) return diff < 0n ? -1 : 1;
    }
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function compareNetworks(a: Network, b: Network): number {
  if (a.family !== b.family) return a.family === "IPv4" ? -1 : 1;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : a.prefix - b.prefix;
}
