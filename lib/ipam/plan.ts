// The IP plan: how a Calico pool splits into per-node blocks, known before anything is created.
// Pure functions: the program exports the plan as `ipPlan`, and `npm run plan` prints it offline.
//
// Shape rule: inputs (blockSize, nodes, podsPerNode) are numbers; every computed count is a decimal
// string, because IPv6 pools hold more blocks and addresses than a JS number keeps exact (2^53), and
// the plan's JSON must stay lossless. Arithmetic is done in bigint.
import { addressCount, BLOCK_SIZE_RANGE, blockCount, blockSizeForNodes, parseCidr, type Cidr, type IpFamily } from "../core/cidr";

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
  poolAddresses: string;
  blocks: string;
  addressesPerBlock: string;
  /** = blocks: Calico gives each node its own block, claimed when the node's first pod starts. */
  nodesAtOneBlockEach: string;
  /** Pods a node runs before it claims a second block (its tunnel address takes one slot). */
  podsBeforeSecondBlock: string;
  blocksPerNodeAtPodsPerNode: string;
  nodesAtPodsPerNode: string;
  /** The plan is tight or pathological: shown by `pulumi preview`. */
  warnings: string[];
  /** Worth knowing, but normal (e.g. a full node holding two /26 blocks, Calico's default). */
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
  const tunnelSlots = tunnel ? 1n : 0n;
  const blocksPerNode = ceilDiv(BigInt(podsPerNode) + tunnelSlots, perBlock);
  const plan: IpPlan = {
    poolCidr: pool.text,
    family: pool.family,
    blockSize: input.blockSize,
    nodes: input.nodes,
    podsPerNode,
    tunnelAddressPerNode: tunnel,
    poolAddresses: addressCount(pool.prefix, pool.bits).toString(),
    blocks: blocks.toString(),
    addressesPerBlock: perBlock.toString(),
    nodesAtOneBlockEach: blocks.toString(),
    podsBeforeSecondBlock: (perBlock - tunnelSlots).toString(),
    blocksPerNodeAtPodsPerNode: blocksPerNode.toString(),
    nodesAtPodsPerNode: (blocks / blocksPerNode).toString(),
    warnings: [],
    notes: [],
  };
  addAdvice(plan, pool);
  return plan;
}

function checkPlanInput(input: PlanInput, podsPerNode: number): Cidr {
  const parsed = parseCidr(input.poolCidr);
  if (!parsed.ok) {
    const fix = parsed.suggestion ? `; did you mean ${parsed.suggestion}?` : "";
    throw new PlanError("poolCidr", `pool ${JSON.stringify(input.poolCidr)} ${parsed.problem}${fix}`);
  }
  const pool = parsed.cidr;
  const { min, max } = BLOCK_SIZE_RANGE[pool.family];
  if (!Number.isInteger(input.blockSize) || input.blockSize < min || input.blockSize > max) {
    throw new PlanError("blockSize", `block size ${input.blockSize} is outside ${min}-${max}, the range Calico accepts for ${pool.family} pools`);
  }
  if (input.blockSize < pool.prefix) {
    throw new PlanError("blockSize", `a /${input.blockSize} block is larger than the pool ${pool.text}: use a block size from ${pool.prefix} to ${max}`);
  }
  if (!Number.isSafeInteger(input.nodes) || input.nodes < 1) {
    throw new PlanError("nodes", `nodes must be a whole number of at least 1, not ${input.nodes}`);
  }
  if (!Number.isSafeInteger(podsPerNode) || podsPerNode < 1) {
    throw new PlanError("podsPerNode", `pods per node must be a whole number of at least 1, not ${podsPerNode}`);
  }
  return pool;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function addAdvice(plan: IpPlan, pool: Cidr): void {
  const blocks = BigInt(plan.blocks);
  const nodes = BigInt(plan.nodes);
  const perNode = BigInt(plan.blocksPerNodeAtPodsPerNode);
  const bs = `/${plan.blockSize}`;
  if (blocks < nodes) {
    const better = blockSizeForNodes(pool, plan.nodes);
    const fix = better === undefined ? "use a larger pool" : `use a larger pool or a block size of at least ${better}`;
    plan.warnings.push(
      `${pool.text} holds ${count(blocks, `${bs} block`)} for ${count(nodes, "node")}: nodes without a block of their own ` +
        `borrow addresses from other nodes' blocks, and pods stay Pending once the pool is full; ${fix}`,
    );
  } else if (blocks < 2n * nodes) {
    plan.warnings.push(
      `${pool.text} holds ${count(blocks, `${bs} block`)} for ${count(nodes, "node")} (fewer than 2 per node): a node ` +
        `that fills its first block may find no free block to claim, and then borrows addresses from other ` +
        `nodes' blocks or leaves its pods Pending`,
    );
  } else if (blocks < nodes * perNode) {
    plan.warnings.push(
      `at ${plan.podsPerNode} pods per node each node needs ${count(perNode, `${bs} block`)}, ${fmt(nodes * perNode)} ` +
        `in all, but ${pool.text} holds ${fmt(blocks)}: full nodes will run out`,
    );
  }
  if (plan.blockSize === pool.bits) {
    const tunnel = plan.tunnelAddressPerNode ? ", and each node's tunnel address takes a block before any pod" : "";
    plan.warnings.push(
      `${bs} blocks hold one address: every pod claims a block of its own (one IPAMBlock, one BlockAffinity ` +
        `and one route per pod)${tunnel}`,
    );
  } else if (perNode > 2n) {
    plan.warnings.push(
      `a ${bs} block holds ${count(plan.addressesPerBlock, "address")}: a node running ${plan.podsPerNode} pods ` +
        `claims ${perNode} blocks (more IPAM objects and routes per node than Calico's default ` +
        `/${BLOCK_SIZE_RANGE[pool.family].calicoDefault} blocks give)`,
    );
  } else if (perNode > 1n) {
    plan.notes.push(
      `a node running more than ${plan.podsBeforeSecondBlock} pods claims a second ${bs} block ` +
        `(kubelet's default is ${KUBELET_DEFAULT_MAX_PODS} pods per node)`,
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
  return `  ${`${label}:`.padEnd(36)} ${value}`;
}

export function formatPlan(plan: IpPlan): string {
  const tunnel = plan.tunnelAddressPerNode ? ", 1 taken by the node's tunnel device" : "";
  const lines = [
    `IP plan for the ${plan.family} pool ${plan.poolCidr} with /${plan.blockSize} blocks and ${count(plan.nodes, "node")}`,
    row("addresses in the pool", fmt(plan.poolAddresses)),
    row("blocks in the pool", `${count(plan.blocks, "block")} of ${count(plan.addressesPerBlock, "address")}`),
    row("nodes the pool holds, 1 block each", fmt(plan.nodesAtOneBlockEach)),
    row(
      "pods per node before a 2nd block",
      `${fmt(plan.podsBeforeSecondBlock)} (${count(plan.addressesPerBlock, "address")} per block${tunnel}; ` +
        `kubelet default max pods: ${KUBELET_DEFAULT_MAX_PODS})`,
    ),
    row(`blocks per node at ${plan.podsPerNode} pods`, fmt(plan.blocksPerNodeAtPodsPerNode)),
    row(`nodes the pool holds at ${plan.podsPerNode} pods`, fmt(plan.nodesAtPodsPerNode)),
  ];
  if (plan.warnings.length > 0) lines.push("Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
  if (plan.notes.length > 0) lines.push("Notes:", ...plan.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}
