// Rules the Tigera operator (v1.38) enforces on Installation and APIServer that the CRD schema does
// not hold: the API server accepts these objects, then the operator refuses them and reports
// Degraded. Written from the operator's validation of the Installation (block size range, one pool
// per family, non-empty selector, encapsulation vs BGP) and its `default`-only singletons.
import * as ipaddr from "ipaddr.js";
import { isRecord } from "./builtin-objects";

const IPV4_BLOCK = { min: 20, max: 32 };
const IPV6_BLOCK = { min: 116, max: 128 };
/** Encapsulations that ride on BGP routes: refused when the Installation disables BGP. */
const NEEDS_BGP = ["IPIP", "IPIPCrossSubnet", "None"];

function poolProblems(pool: Record<string, unknown>, at: string, bgp: unknown): string[] {
  const problems: string[] = [];
  const cidr = String(pool.cidr);
  if (!ipaddr.isValidCIDR(cidr)) return [`${at}/cidr: "${cidr}" is not a CIDR`];
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  const v4 = address.kind() === "ipv4";
  const range = v4 ? IPV4_BLOCK : IPV6_BLOCK;
  if (pool.blockSize !== undefined) {
    const size = Number(pool.blockSize);
    if (!(size >= range.min && size <= range.max)) {
      problems.push(`${at}/blockSize: ${size} is outside ${range.min}–${range.max}, the operator's range for IPv${v4 ? 4 : 6} pools`);
    } else if (prefix > size) {
      problems.push(`${at}/blockSize: ${size} is larger than the pool ${cidr} itself`);
    }
  }
  if (!v4 && pool.encapsulation !== undefined && pool.encapsulation !== "None") {
    problems.push(`${at}/encapsulation: IPv6 pools take no encapsulation, got "${String(pool.encapsulation)}"`);
  }
  if (pool.nodeSelector === "") problems.push(`${at}/nodeSelector: must not be empty`);
  if (bgp === "Disabled" && NEEDS_BGP.includes(String(pool.encapsulation))) {
    problems.push(`${at}/encapsulation: "${String(pool.encapsulation)}" needs BGP, which calicoNetwork.bgp disables`);
  }
  return problems;
}

/** The operator's own objections to an Installation or APIServer; empty when it would accept it. */
export function operatorProblems(object: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const name = isRecord(object.metadata) ? object.metadata.name : undefined;
  if (name !== "default") problems.push(`/metadata/name: the operator only acts on "default", got ${JSON.stringify(name)}`);
  if (object.kind !== "Installation") return problems;

  const network = isRecord(object.spec) && isRecord(object.spec.calicoNetwork) ? object.spec.calicoNetwork : {};
  const pools = Array.isArray(network.ipPools) ? network.ipPools.filter(isRecord) : [];
  const families = pools.map((p) => (ipaddr.isValidCIDR(String(p.cidr)) ? ipaddr.parseCIDR(String(p.cidr))[0].kind() : "?"));
  for (const family of ["ipv4", "ipv6"]) {
    if (families.filter((f) => f === family).length > 1) problems.push(`/spec/calicoNetwork/ipPools: more than one ${family} pool`);
  }
  pools.forEach((pool, i) => problems.push(...poolProblems(pool, `/spec/calicoNetwork/ipPools/${i}`, network.bgp)));
  return problems;
}
