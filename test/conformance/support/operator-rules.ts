// Rules the Tigera operator (v1.38) enforces on Installation and APIServer that the CRD schema does
// not hold: the API server accepts these objects, then the operator refuses them and reports
// Degraded. Written from the operator's validation of the Installation (v1.38.13
// pkg/controller/ippool/validation.go ValidatePools: block size range per family, each CIDR and name
// once, non-empty selector; installation/validation.go: encapsulation vs BGP), its `default`-only
// singletons, and what Calico's API server then refuses when the operator creates the pools
// (v3.30.7 libcalico-go/lib/clientv3/ippool.go: overlapping pools, IPIP on an IPv6 pool). Several
// pools of one family are fine since the operator's pool controller (v1.34+).
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
  if (!v4 && String(pool.encapsulation).startsWith("IPIP")) {
    problems.push(`${at}/encapsulation: IPIP is not supported on an IPv6 IP pool, got "${String(pool.encapsulation)}"`);
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
  for (const field of ["cidr", "name"]) {
    const values = pools.map((p) => p[field]).filter((v) => v !== undefined);
    for (const twin of new Set(values.filter((v, i) => values.indexOf(v) !== i))) {
      problems.push(`/spec/calicoNetwork/ipPools: IP pool ${String(twin)} is specified more than once`);
    }
  }
  const nets = pools.map((p) => (ipaddr.isValidCIDR(String(p.cidr)) ? ipaddr.parseCIDR(String(p.cidr)) : undefined));
  nets.forEach((a, i) => nets.slice(0, i).forEach((b, j) => {
    if (a && b && a[0].kind() === b[0].kind() && (a[0].match(b) || b[0].match(a))) {
      problems.push(`/spec/calicoNetwork/ipPools/${i}/cidr: overlaps ipPools/${j} (${String(pools[j].cidr)}), which Calico refuses`);
    }
  }));
  pools.forEach((pool, i) => problems.push(...poolProblems(pool, `/spec/calicoNetwork/ipPools/${i}`, network.bgp)));
  return problems;
}
