// Pure summaries of one checked IPAM snapshot, counted the way calicoctl v3.30.7 counts them
// (libcalico-go/lib/ipam/ipam.go GetUtilization): pools in list order; each block, in list order,
// counts toward the first pool of its family that overlaps it (IPNet.IsNetOverlap), else it is an
// orphan; block size 2^(bits-prefix), in use = size - len(unallocated); pool free = total - in use.
// Counts are exact (bigint), carried as decimal strings (see types.ts).
import { cidrsOverlap, compareNetworks, type Network } from "../core/cidr";
import { compareNatural } from "./natural-order";
import { printable, type Block, type Checked, type Pool } from "./normalise";
import type { BlockAffinityRow, BlockSummary, IpamSummary, NodeSummary, PoolSummary } from "./types";

/** Finds "the first pool in list order overlapping a block" without scanning every pool per block. */
class PoolLookup {
  private readonly byFamily = new Map<string, Pool[]>();
  private readonly disjoint = new Map<string, boolean>();
  private readonly order: Map<Pool, number>;

  constructor(private readonly pools: Pool[]) {
    this.order = new Map(pools.map((p, i) => [p, i]));
    for (const pool of pools) {
      const list = this.byFamily.get(pool.network.family) ?? [];
      list.push(pool);
      this.byFamily.set(pool.network.family, list);
    }
    for (const [family, list] of this.byFamily) {
      list.sort((a, b) => compareNetworks(a.network, b.network));
      // Calico refuses overlapping pools, but a cluster mid-migration could still hold some.
      this.disjoint.set(family, list.every((p, i) => i === 0 || p.network.start >= list[i - 1].network.start + list[i - 1].network.size));
    }
  }

  /** The pool and its index in list order. */
  find(block: Network): Pool | undefined {
    const sorted = this.byFamily.get(block.family);
    if (!sorted) return undefined;
    const end = block.start + block.size;
    const hit = (p: Pool): boolean => cidrsOverlap(p.network, block);
    if (!this.disjoint.get(block.family)) return this.pools.find((p) => p.network.family === block.family && hit(p));
    // Last pool starting before the block's end; with disjoint pools the overlapping ones sit just
    // before it and their ends ascend too, so the walk back stops quickly.
    let lo = 0;
    let hi = sorted.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].network.start < end) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    let best: Pool | undefined;
    for (let i = last; i >= 0 && hit(sorted[i]); i--) {
      if (!best || (this.order.get(sorted[i]) as number) < (this.order.get(best) as number)) best = sorted[i];
    }
    return best;
  }
}

/** The pool each block counts toward (calicoctl's rule), by block index; undefined for orphans. */
export function assignBlocks(pools: Pool[], blocks: Block[]): (Pool | undefined)[] {
  const lookup = new PoolLookup(pools);
  return blocks.map((b) => lookup.find(b.network));
}

/** Addresses in a block held by another node's workloads, by borrowing node (calicoctl --show-borrowed's rule). */
export function borrowedIn(block: Block): Map<string, number> {
  const out = new Map<string, number>();
  for (const index of block.allocations) {
    if (index === null) continue;
    const borrower = block.attributes[index]?.secondary.node;
    if (borrower !== undefined && borrower !== "" && borrower !== (block.node ?? "")) out.set(borrower, (out.get(borrower) ?? 0) + 1);
  }
  return out;
}

export interface Summarised {
  summary: Omit<IpamSummary, "check">;
  warnings: string[];
}

export function summariseIpam(checked: Checked): Summarised {
  const warnings: string[] = [];
  const pools = checked.pools.map((p) => ({ pool: p, inUse: 0n, blocks: 0 }));
  const poolIndex = new Map(checked.pools.map((p, i) => [p, i]));
  const nodes = new Map<string, { blocks: number; inUse: bigint; borrowed: bigint }>();
  const nodeEntry = (name: string): { blocks: number; inUse: bigint; borrowed: bigint } => {
    let entry = nodes.get(name);
    if (!entry) nodes.set(name, (entry = { blocks: 0, inUse: 0n, borrowed: 0n }));
    return entry;
  };
  for (const name of checked.nodes) nodeEntry(name);

  const inPools: BlockSummary[] = [];
  const orphans: BlockSummary[] = [];
  const assigned = assignBlocks(checked.pools, checked.blocks);
  checked.blocks.forEach((block, i) => {
    const size = block.network.size;
    const inUse = size - BigInt(block.unallocatedCount);
    const borrowed = borrowedIn(block);
    let borrowedHere = 0;
    for (const [borrower, n] of borrowed) {
      nodeEntry(borrower).borrowed += BigInt(n);
      borrowedHere += n;
    }
    const pool = assigned[i];
    const summary: BlockSummary = {
      cidr: block.network.text,
      node: block.node,
      pool: pool ? pool.name : null,
      ipsTotal: size.toString(),
      ipsInUse: inUse.toString(),
      ipsFree: (size - inUse).toString(),
      ipsBorrowed: String(borrowedHere),
    };
    if (pool) {
      const entry = pools[poolIndex.get(pool) as number];
      entry.inUse += inUse;
      entry.blocks += 1;
      if (block.network.prefix < pool.network.prefix) {
        warnings.push(
          `IPAMBlock ${JSON.stringify(printable(block.name))} (${block.network.text}) is larger than its IP pool ` +
            `${JSON.stringify(printable(pool.name))} (${pool.network.text}): the pool's numbers, free space included, are off (calicoctl prints the same)`,
        );
      }
      inPools.push(summary);
    } else {
      orphans.push(summary);
    }
    if (block.node !== null) {
      const entry = nodeEntry(block.node);
      entry.blocks += 1;
      entry.inUse += inUse;
    }
  });

  const poolSummaries: PoolSummary[] = pools.map(({ pool, inUse, blocks }) => {
    const total = pool.network.size;
    return {
      name: pool.name,
      cidr: pool.network.text,
      family: pool.network.family,
      blockSize: pool.blockSize,
      disabled: pool.disabled,
      blocksTotal: pool.blockSizeValid ? (1n << BigInt(pool.blockSize - pool.network.prefix)).toString() : "0",
      blocks,
      ipsTotal: total.toString(),
      ipsInUse: inUse.toString(),
      ipsFree: (total - inUse).toString(),
    };
  });
  const nodeSummaries: NodeSummary[] = [...nodes.entries()]
    .sort(([a], [b]) => compareNatural(a, b))
    .map(([name, n]) => ({ name, blocks: n.blocks, ipsInUse: n.inUse.toString(), ipsBorrowed: n.borrowed.toString() }));
  return { summary: { pools: poolSummaries, blocks: inPools, orphanBlocks: orphans, nodes: nodeSummaries }, warnings };
}

/** The `kubectl get blockaffinities` listing: by node (naturally), then by address (numerically, not as text). */
export function listBlockAffinities(checked: Pick<Checked, "affinities">): BlockAffinityRow[] {
  return [...checked.affinities]
    .sort((a, b) => {
      const byNode = compareNatural(a.node, b.node);
      if (byNode !== 0) return byNode;
      if (a.network && b.network) return compareNetworks(a.network, b.network);
      if (a.network || b.network) return a.network ? -1 : 1;
      return a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0;
    })
    .map((a) => ({ name: a.name, node: a.node, cidr: a.cidr, state: a.state, deleted: a.deleted }));
}
