// `npm run bench`: how long the summaries take on a full lab-sized pool and on one ten times larger,
// so growth in cost is visible. Informational only; nothing here fails a build.
import { performance } from "node:perf_hooks";
import { listBlockAffinities, summariseIpam } from "../lib/ipam/summary";
import type { BlockAffinity, IPAMBlock, IpamSnapshot } from "../lib/ipam/types";

interface Case {
  label: string;
  /** First address of the pool as four octets. */
  base: [number, number, number, number];
  prefix: number;
  blocks: number;
  inUse: number;
}

const BLOCK_PREFIX = 26;
const BLOCK_ADDRESSES = 2 ** (32 - BLOCK_PREFIX);

function addressAt(base: Case["base"], offset: number): string {
  const value = ((base[0] << 24) >>> 0) + (base[1] << 16) + (base[2] << 8) + base[3] + offset;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** One block per node, the in-use addresses spread as evenly as whole numbers allow. */
function buildSnapshot(c: Case): IpamSnapshot {
  const ipamblocks: IPAMBlock[] = [];
  const blockaffinities: BlockAffinity[] = [];
  const nodes = [];
  const perBlock = Math.floor(c.inUse / c.blocks);
  const withExtra = c.inUse - perBlock * c.blocks;
  for (let i = 0; i < c.blocks; i++) {
    const node = `node-${i}`;
    const cidr = `${addressAt(c.base, i * BLOCK_ADDRESSES)}/${BLOCK_PREFIX}`;
    const used = perBlock + (i < withExtra ? 1 : 0);
    const allocations: (number | null)[] = [];
    const unallocated: number[] = [];
    for (let a = 0; a < BLOCK_ADDRESSES; a++) {
      if (a < used) allocations.push(a);
      else {
        allocations.push(null);
        unallocated.push(a);
      }
    }
    const attributes = Array.from({ length: used }, (_, a) => ({
      handle_id: `k8s-pod-network.${i}-${a}`,
      secondary: { namespace: "default", node, pod: `pod-${i}-${a}` },
    }));
    ipamblocks.push({
      metadata: { name: cidr.replace(/[./]/g, "-") },
      spec: { cidr, affinity: `host:${node}`, allocations, unallocated, attributes, deleted: false },
    });
    blockaffinities.push({
      metadata: { name: `${node}-${cidr.replace(/[./]/g, "-")}` },
      spec: { cidr, node, state: "confirmed", deleted: "false", type: "host" },
    });
    nodes.push({ metadata: { name: node } });
  }
  const ippools = [{ metadata: { name: "bench-pool" }, spec: { cidr: `${c.base.join(".")}/${c.prefix}`, blockSize: BLOCK_PREFIX } }];
  // The API returns lists sorted by name, not by address; shuffle so sorting costs what it would.
  ipamblocks.reverse();
  blockaffinities.reverse();
  return { ippools, ipamblocks, blockaffinities, nodes, tigerastatuses: [] };
}

function time(fn: () => unknown): { first: number; median: number } {
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    fn();
    runs.push(performance.now() - start);
  }
  const first = runs[0];
  runs.sort((a, b) => a - b);
  return { first, median: runs[Math.floor(runs.length / 2)] };
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

function main(): void {
  const cases: Case[] = [
    { label: "/16 pool, /26 blocks", base: [192, 168, 0, 0], prefix: 16, blocks: 1024, inUse: 60_000 },
    // 10x the blocks: a /12 holds 16,384 /26 blocks, of which 10,240 are claimed.
    { label: "/12 pool, /26 blocks", base: [10, 0, 0, 0], prefix: 12, blocks: 10_240, inUse: 600_000 },
  ];
  for (const c of cases) {
    const snapshot = buildSnapshot(c);
    const summary = time(() => summariseIpam(snapshot));
    const affinities = time(() => listBlockAffinities(snapshot.blockaffinities));
    const result = summariseIpam(snapshot);
    const counted = result.pools[0].ipsInUse;
    console.log(
      `${c.label}: ${c.blocks} blocks, ${c.blocks} nodes, ${counted} addresses in use\n` +
        `  summariseIpam        first ${ms(summary.first)}, median of 7 ${ms(summary.median)}\n` +
        `  listBlockAffinities  first ${ms(affinities.first)}, median of 7 ${ms(affinities.median)}`,
    );
    if (counted !== c.inUse) throw new Error(`bench: expected ${c.inUse} addresses in use, summary counted ${counted}`);
  }
}

main();
