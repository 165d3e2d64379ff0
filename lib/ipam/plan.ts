// The IP plan: how a Calico pool splits into per-node blocks, known before anything is created.
// Pure functions: the program exports the plan as `ipPlan`, and `npm run plan` prints it offline.
//
// Shape rule: inputs (blockSize, nodes, podsPerNode) are numbers; every computed count is a decimal
// string, because IPv6 pools hold more blocks and addresses than a JS number keeps exact (2^53), and
// the plan's JSON must stay lossless. Arithmetic is done in bigint.
import { addressCount, BLOCK_SIZE_RANGE, blockCount, parseCidr, type Cidr, type IpFamily } from "../core/cidr";

export const KUBELET_DEFAULT_MAX_PODS = 110;

export interface PlanInput {
  poolCidr: string;
  blockSize: number;
  nodes: number;
  podsPerNode?: number;
  /** VXLAN and IPIP give every node a tunnel address from its first block; None does not. */
  tunnelAddressPerNode?: boolean;
}

export interface IpPlan {
  poolCidr: string;
  family: IpFamily;
  blockSize: number;
  nodes: number;
  podsPerNode: number;
  tunnelAddressPerNode: boolean;
  /** What the nodes need, full: podsPerNode (+1 tunnel address) each. */
  addressesNeeded: string;
  /** Blocks of this size the nodes claim when full. */
  blocksNeeded: string;
  /** The longest pool prefix that holds blocksNeeded blocks of this size. */
  smallestPoolPrefix: number;
  poolAddresses: string;
  blocks: string;
  addressesPerBlock: string;
  /** = blocks: Calico gives each node its own block, claimed when the node's first pod starts. */
  nodesAtOneBlockEach: string;
  /** Pods a node runs before it claims a second block (its tunnel address takes one slot). */
  podsBeforeSecondBlock: string;
  blocksPerNodeAtPodsPerNode: string;
  /** Full nodes the pool holds, the given ones included. */
  nodesAtPodsPerNode: string;
  /** Full nodes that fit beside the given ones (0 when they do not fit themselves). */
  moreNodesThatFit: string;
  /** The plan does not work, or barely: shown by `pulumi preview`. Each says what to change. */
  warnings: string[];
  /** Trade-offs worth knowing (block size against blocks and routes per node). */
  notes: string[];
}

export type PlanField = "poolCidr" | "blockSize" | "nodes" | "podsPerNode";

export class PlanError extends Error {
  constructor(public readonly field: PlanField, message: string) {
    super(message);
    this.name = "PlanError";
  }
}

export function planIp(input: PlanInput): IpPlan {
  const podsPerNode = input.podsPerNode ?? KUBELET_DEFAULT_MAX_PODS;
  const tunnel = input.tunnelAddressPerNode ?? true;
  const pool = checkPlanInput(input, podsPerNode);
  const perBlock = addressCount(input.blockSize, pool.bits);
  const blocks = blockCount(pool.prefix, input.blockSize);
  const perNode = BigInt(podsPerNode) + (tunnel ? 1n : 0n);
  const blocksPerNode = ceilDiv(perNode, perBlock);
  const blocksNeeded = blocksPerNode * BigInt(input.nodes);
  const fullNodes = blocks / blocksPerNode;
  const plan: IpPlan = {
    poolCidr: pool.text,
    family: pool.family,
    blockSize: input.blockSize,
    nodes: input.nodes,
    podsPerNode,
    tunnelAddressPerNode: tunnel,
    addressesNeeded: (perNode * BigInt(input.nodes)).toString(),
    blocksNeeded: blocksNeeded.toString(),
    smallestPoolPrefix: Math.max(0, input.blockSize - bitLength(blocksNeeded - 1n)),
    poolAddresses: addressCount(pool.prefix, pool.bits).toString(),
    blocks: blocks.toString(),
    addressesPerBlock: perBlock.toString(),
    nodesAtOneBlockEach: blocks.toString(),
    podsBeforeSecondBlock: (perBlock - (tunnel ? 1n : 0n)).toString(),
    blocksPerNodeAtPodsPerNode: blocksPerNode.toString(),
    nodesAtPodsPerNode: fullNodes.toString(),
    moreNodesThatFit: (fullNodes > BigInt(input.nodes) ? fullNodes - BigInt(input.nodes) : 0n).toString(),
    warnings: [],
    notes: [],
  };
  addAdvice(plan, pool, perNode);
  return plan;
}

/** Bits needed to write n (0 for 0): the prefix length a count of 2^k needs. */
function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** Inputs a plan takes: past these, a number is a typo (Kubernetes tests 5,000 nodes and 110 pods per node). */
export const PLAN_LIMITS = { nodes: 100_000, podsPerNode: 10_000 } as const;

/** A value as it is echoed in a message: quoted, at most 60 characters. */
export function echo(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function checkPlanInput(input: PlanInput, podsPerNode: number): Cidr {
  const parsed = parseCidr(input.poolCidr);
  if (!parsed.ok) {
    const fix = parsed.suggestion ? `; did you mean ${parsed.suggestion}?` : "";
    throw new PlanError("poolCidr", `pool ${echo(input.poolCidr)} ${parsed.problem}${fix}`);
  }
  const pool = parsed.cidr;
  const { min, max } = BLOCK_SIZE_RANGE[pool.family];
  if (!Number.isInteger(input.blockSize) || input.blockSize < min || input.blockSize > max) {
    throw new PlanError("blockSize", `block size ${input.blockSize} is outside ${min}-${max}, the range Calico accepts for ${pool.family} pools`);
  }
  if (input.blockSize < pool.prefix) {
    throw new PlanError("blockSize", `a /${input.blockSize} block is larger than the pool ${pool.text}: use a block size from ${pool.prefix} to ${max}`);
  }
  if (!Number.isSafeInteger(input.nodes) || input.nodes < 1 || input.nodes > PLAN_LIMITS.nodes) {
    throw new PlanError("nodes", `nodes must be a whole number from 1 to ${fmt(PLAN_LIMITS.nodes)}, not ${echo(input.nodes)}`);
  }
  if (!Number.isSafeInteger(podsPerNode) || podsPerNode < 1 || podsPerNode > PLAN_LIMITS.podsPerNode) {
    throw new PlanError("podsPerNode", `pods per node must be a whole number from 1 to ${fmt(PLAN_LIMITS.podsPerNode)}, not ${echo(podsPerNode)}`);
  }
  return pool;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The largest blocks (smallest block size) with which `nodes` full nodes fit in the pool, if any. */
function blockSizeThatFits(pool: Cidr, nodes: bigint, perNode: bigint): number | undefined {
  const { min, max } = BLOCK_SIZE_RANGE[pool.family];
  for (let size = Math.max(min, pool.prefix); size <= max; size++) {
    if (ceilDiv(perNode, addressCount(size, pool.bits)) * nodes <= blockCount(pool.prefix, size)) return size;
  }
  return undefined;
}

/** Advice in the order a planner needs it: does it fit at all, how much room is left, then block-size trade-offs. */
function addAdvice(plan: IpPlan, pool: Cidr, perNode: bigint): void {
  const blocks = BigInt(plan.blocks);
  const nodes = BigInt(plan.nodes);
  const needed = BigInt(plan.blocksNeeded);
  const perNodeBlocks = BigInt(plan.blocksPerNodeAtPodsPerNode);
  const bs = `/${plan.blockSize}`;
  const full = `${count(nodes, "node")} running ${plan.podsPerNode} pods`;
  const { min, max } = BLOCK_SIZE_RANGE[pool.family];
  if (needed > blocks) {
    const addresses = BigInt(plan.addressesNeeded);
    const rawFits = addresses <= BigInt(plan.poolAddresses);
    const better = rawFits ? blockSizeThatFits(pool, nodes, perNode) : undefined;
    const left = nodes - blocks;
    const stranded = left > 0n ? `; ${count(left, "node")} would get no block at all, and ${left === 1n ? "its" : "their"} pods borrow addresses or stay Pending` : "";
    const fix = better !== undefined
      ? `use a block size of ${better} (then they fit), or a /${plan.smallestPoolPrefix} pool or larger`
      : `use a /${Math.max(0, pool.bits - bitLength(addresses - 1n))} pool or larger (a smaller block size cannot help: the pool has fewer addresses than the pods need)`;
    plan.warnings.push(
      `${full} need ${count(needed, `${bs} block`)} (${fmt(addresses)} addresses), but ${pool.text} holds ${fmt(blocks)}${stranded}: ${fix}`,
    );
  } else if (BigInt(plan.moreNodesThatFit) * 10n < nodes) {
    plan.warnings.push(
      `${full} use ${fmt(needed)} of the ${fmt(blocks)} ${bs} blocks of ${pool.text}: room for only ${count(plan.moreNodesThatFit, "more node")}; ` +
        `a /${Math.max(0, plan.smallestPoolPrefix - 1)} pool would double it`,
    );
  }
  if (plan.blockSize === pool.bits) {
    const tunnel = plan.tunnelAddressPerNode ? ", and each node's tunnel address takes a block before any pod" : "";
    plan.warnings.push(
      `${bs} blocks hold one address: every pod claims a block of its own (one IPAMBlock, one BlockAffinity and one route per pod)${tunnel}`,
    );
    return;
  }
  const oneBlock = Math.min(max, Math.max(min, pool.prefix, pool.bits - bitLength(perNode - 1n)));
  if (perNodeBlocks > 1n) {
    plan.notes.push(
      `a full node (${plan.podsPerNode} pods) claims ${count(perNodeBlocks, `${bs} block`)}: one IPAMBlock, one BlockAffinity and one route each; ` +
        (oneBlock < plan.blockSize ? `a block size of ${oneBlock} holds a full node in one block (fewer objects and routes, coarser split of the pool)` : "no larger block is allowed"),
    );
  } else if (BigInt(plan.addressesPerBlock) >= 4n * perNode && oneBlock > plan.blockSize) {
    plan.notes.push(
      `a ${bs} block holds ${count(plan.addressesPerBlock, "address")}, ${fmt(BigInt(plan.addressesPerBlock) - perNode)} more than a full node uses; ` +
        `a block size of ${oneBlock} would still hold a full node and leave room for ${fmt(blockCount(pool.prefix, oneBlock) / ceilDiv(perNode, addressCount(oneBlock, pool.bits)))} nodes`,
    );
  }
}

/** Thousands separators, exact for bigint. */
function fmt(n: bigint | string | number): string {
  return BigInt(n).toLocaleString("en-US");
}

/** "1 block", "1,024 blocks". */
function count(n: bigint | string | number, noun: string): string {
  const plural = noun.endsWith("s") ? `${noun}es` : `${noun}s`;
  return `${fmt(n)} ${BigInt(n) === 1n ? noun : plural}`;
}

function row(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(38)} ${value}`;
}

export function formatPlan(plan: IpPlan): string {
  const tunnel = plan.tunnelAddressPerNode ? ", plus 1 tunnel address" : "";
  const fits = BigInt(plan.blocksNeeded) <= BigInt(plan.blocks);
  const percent = (Number(plan.blocksNeeded) / Number(plan.blocks)) * 100;
  const share = percent < 0.01 ? "less than 0.01% of the pool" : `${Number(percent.toPrecision(2))}% of the pool`;
  const lines = [
    `IP plan for the ${plan.family} pool ${plan.poolCidr} with /${plan.blockSize} blocks and ${count(plan.nodes, "node")}`,
    "What the nodes need:",
    row("pods per node", `${fmt(plan.podsPerNode)}${tunnel} (kubelet default max pods: ${KUBELET_DEFAULT_MAX_PODS})`),
    row(`addresses for ${count(plan.nodes, "full node")}`, fmt(plan.addressesNeeded)),
    row(`/${plan.blockSize} blocks for them`, `${fmt(plan.blocksNeeded)} (${count(plan.blocksPerNodeAtPodsPerNode, "block")} per node)`),
    row("smallest pool that holds them", `/${plan.smallestPoolPrefix}`),
    "What the pool gives:",
    row("addresses in the pool", fmt(plan.poolAddresses)),
    row("blocks in the pool", `${count(plan.blocks, "block")} of ${count(plan.addressesPerBlock, "address")}`),
    row("full nodes the pool holds", `${fmt(plan.nodesAtPodsPerNode)}${fits ? `; the ${count(plan.nodes, "node")} use ${share}, ${fmt(plan.moreNodesThatFit)} more fit` : ""}`),
    row("pods per node before a 2nd block", fmt(plan.podsBeforeSecondBlock)),
    row("nodes the pool holds, 1 block each", fmt(plan.nodesAtOneBlockEach)),
  ];
  if (plan.warnings.length > 0) lines.push("Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
  if (plan.notes.length > 0) lines.push("Notes:", ...plan.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}
