// The `summary` stack output: the one line `npm run up` ends with. What the lab holds (nodes, blocks
// claimed, addresses in use, exact at any pool size), what to run next, what it costs per hour and
// how to remove it. The `ipam` output and a few config keys in, text out.
import type { LabConfig } from "../config";
import { awsHostCost, dollars } from "../host/aws-cost";
import { thousands } from "./svg-marks";
import type { IpamSummary, PoolSummary } from "./types";

export type SummaryConfig = Pick<LabConfig, "target" | "calicoInstall" | "instanceType" | "rootVolumeGb">;

/** Pools named one by one; past this, "and N more pools" keeps the line one line. */
export const SUMMARY_POOLS = 3;

export const NEXT_SHOW_BLOCKS = "npm run -s ipam -- --show-blocks";
export const NEXT_CHECK = "npm run -s ipam -- check";

function counted(n: number, word: string): string {
  return `${thousands(n)} ${word}${n === 1 ? "" : "s"}`;
}

function poolPhrase(pool: PoolSummary, claimed: number, named: boolean): string {
  const blocks = `${counted(claimed, "block")} of /${pool.blockSize} claimed`;
  const addresses = `${thousands(pool.ipsInUse)} of ${thousands(pool.ipsTotal)} addresses in use`;
  const phrase = `${blocks}, ${addresses}${pool.disabled ? " (disabled)" : ""}`;
  return named ? `pool ${pool.name}: ${phrase}` : phrase;
}

/** "3 nodes, 3 blocks of /26 claimed, 13 of 65,536 addresses in use", or one part per pool. */
function holdings(ipam: IpamSummary): string[] {
  const nodes = counted(ipam.nodes.length, "node");
  const claimedIn = (pool: string): number => ipam.blocks.filter((b) => b.pool === pool && b.node !== null).length;
  const parts: string[] = [];
  if (ipam.pools.length === 0) {
    parts.push(`${nodes}, no IP pool`);
  } else if (ipam.pools.length === 1) {
    parts.push(`${nodes}, ${poolPhrase(ipam.pools[0], claimedIn(ipam.pools[0].name), false)}`);
  } else {
    parts.push(nodes, ...ipam.pools.slice(0, SUMMARY_POOLS).map((p) => poolPhrase(p, claimedIn(p.name), true)));
    const more = ipam.pools.length - SUMMARY_POOLS;
    if (more > 0) parts.push(`and ${counted(more, "more pool")}`);
  }
  if (ipam.orphanBlocks.length > 0) parts.push(`${counted(ipam.orphanBlocks.length, "block")} outside every pool`);
  const problems = ipam.check?.problems ?? 0;
  if (problems > 0) parts.push(`${counted(problems, "IPAM problem")}`);
  return parts;
}

function cost(config: SummaryConfig): string {
  if (config.target !== "aws") return "no AWS cost";
  const host = awsHostCost(config);
  if (host.usdPerHour !== undefined) return `cost about ${dollars(host.usdPerHour)}/h`;
  const rest = host.lines.reduce((sum, line) => sum + (line.usdPerHour ?? 0), 0);
  return `cost: ${config.instanceType}'s on-demand price plus about ${dollars(rest)}/h`;
}

function cleanUp(config: SummaryConfig): string {
  if (config.target !== "existing") return "npm run destroy when done";
  return config.calicoInstall === "none" ? "read-only: nothing to destroy" : "npm run destroy removes what this stack installed";
}

export function stackSummary(config: SummaryConfig, ipam: IpamSummary): string {
  // A cluster always has nodes: none at all means the read failed (its warning says why).
  const read = ipam.nodes.length > 0 || ipam.pools.length > 0;
  const parts = read ? holdings(ipam) : ["IPAM not read on this run (see the warning above)"];
  const next = !read ? "npm run -s ipam" : (ipam.check?.problems ?? 0) > 0 ? NEXT_CHECK : NEXT_SHOW_BLOCKS;
  return [...parts, `next: ${next}`, cost(config), cleanUp(config)].join("; ");
}
