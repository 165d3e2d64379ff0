// The objects of one read, checked field by field before anything is counted: an object of the wrong
// shape (allocations as a map, a cidr that is not one, conditions as an object) is skipped with a
// warning that names it, and the rest are counted as calicoctl counts them. Nothing here throws.
import type { TigeraStatus } from "../calico/status";
import { parseNetwork, type Network } from "../core/cidr";
import type { BlockAffinity, IPAMBlock, IPPool, IpamSnapshot, KubeNode } from "./types";

export interface Pool {
  name: string;
  network: Network;
  /** As the pool says; `blockSizeValid` says whether blocks can be laid out with it. */
  blockSize: number;
  blockSizeValid: boolean;
  disabled: boolean;
}

export interface Attribute {
  handle: string | null;
  secondary: Record<string, string>;
}

export interface Block {
  name: string;
  network: Network;
  /** The raw affinity ("host:n1"), or null. */
  affinity: string | null;
  /** The node of a "host:" affinity, or null. */
  node: string | null;
  allocations: (number | null)[];
  unallocatedCount: number;
  attributes: Attribute[];
  deleted: boolean;
}

export interface Affinity {
  name: string;
  node: string;
  cidr: string;
  network: Network | undefined;
  state: string;
  deleted: boolean;
}

export interface Checked {
  pools: Pool[];
  blocks: Block[];
  affinities: Affinity[];
  nodes: string[];
  tigerastatuses: TigeraStatus[];
  warnings: string[];
}

const DEFAULT_BLOCK_SIZE = { IPv4: 26, IPv6: 122 } as const;
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Text as it can be printed on one line of a terminal: control characters (escape sequences, newlines) escaped. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A name for a message: control characters escaped, at most 100 characters. */
export function printable(text: string): string {
  const escaped = escapeControl(text);
  return escaped.length > 100 ? `${escaped.slice(0, 97)}...` : escaped;
}

function nameOf(kind: string, obj: unknown, index: number): string {
  const name = isDict(obj) && isDict(obj.metadata) ? obj.metadata.name : undefined;
  return typeof name === "string" && name !== "" ? `${kind} ${JSON.stringify(printable(name))}` : `${kind} #${index + 1} (no name)`;
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

export function checkPools(raw: unknown[], warnings: string[]): Pool[] {
  const pools: Pool[] = [];
  const names = new Set<string>();
  raw.forEach((item, i) => {
    const label = nameOf("IPPool", item, i);
    const spec = isDict(item) && isDict(item.spec) ? item.spec : undefined;
    const network = parseNetwork(spec?.cidr);
    if (!spec || !network) {
      warnings.push(`${label} skipped: spec.cidr ${spec ? JSON.stringify(printable(String(spec.cidr))) : "(no spec)"} is not a CIDR`);
      return;
    }
    const pool = item as IPPool;
    const name = pool.metadata?.name ?? network.text;
    if (names.has(name)) warnings.push(`${label} is listed twice: its blocks are counted once, under the first`);
    names.add(name);
    const given = spec.blockSize;
    const blockSize = typeof given === "number" ? given : DEFAULT_BLOCK_SIZE[network.family];
    const blockSizeValid = Number.isInteger(blockSize) && blockSize >= network.prefix && blockSize <= network.bits;
    if (!blockSizeValid) warnings.push(`${label} has blockSize ${JSON.stringify(given)}, which no ${network.text} pool can have: its blocks cannot be laid out`);
    pools.push({ name, network, blockSize, blockSizeValid, disabled: spec.disabled === true });
  });
  return pools;
}

function checkAttributes(value: unknown): Attribute[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const out: Attribute[] = [];
  for (const a of value) {
    if (!isDict(a)) return undefined;
    const handle = typeof a.handle_id === "string" ? a.handle_id : null;
    const secondary: Record<string, string> = {};
    if (isDict(a.secondary)) for (const [k, v] of Object.entries(a.secondary)) if (typeof v === "string") secondary[k] = v;
    out.push({ handle, secondary });
  }
  return out;
}

/** What is wrong with a block's spec, or its checked form. */
function checkBlock(spec: Record<string, unknown>, name: string): Block | string {
  const network = parseNetwork(spec.cidr);
  if (!network) return `spec.cidr ${JSON.stringify(printable(String(spec.cidr)))} is not a CIDR`;
  const { allocations = [], unallocated = [], affinity = null } = spec as IPAMBlock["spec"] & Record<string, unknown>;
  if (!Array.isArray(allocations) || !allocations.every((a) => a === null || (Number.isInteger(a) && (a as number) >= 0))) {
    return `spec.allocations is ${Array.isArray(allocations) ? "a list with entries that are not attribute indexes" : typeOf(allocations)}, not a list of indexes`;
  }
  if (!Array.isArray(unallocated) || !unallocated.every((u) => Number.isInteger(u))) {
    return `spec.unallocated is ${Array.isArray(unallocated) ? "a list with entries that are not whole numbers" : typeOf(unallocated)}, not a list of ordinals`;
  }
  if (affinity !== null && typeof affinity !== "string") return `spec.affinity is ${typeOf(affinity)}, not "host:<node>"`;
  const attributes = checkAttributes(spec.attributes);
  if (!attributes) return `spec.attributes is ${typeOf(spec.attributes)} or holds entries that are not objects`;
  const node = affinity?.startsWith("host:") ? affinity.slice(5) : null;
  return {
    name,
    network,
    affinity,
    node: node === "" ? null : node,
    allocations: allocations as (number | null)[],
    unallocatedCount: unallocated.length,
    attributes,
    deleted: spec.deleted === true,
  };
}

export function checkBlocks(raw: unknown[], warnings: string[]): Block[] {
  const blocks: Block[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const label = nameOf("IPAMBlock", item, i);
    const spec = isDict(item) && isDict(item.spec) ? item.spec : undefined;
    const block = spec ? checkBlock(spec, (item as IPAMBlock).metadata?.name ?? "") : "it has no spec";
    if (typeof block === "string") {
      warnings.push(`${label} skipped: ${block}`);
      return;
    }
    if (block.affinity === "host:") warnings.push(`${label} has the affinity "host:" with no node name: counted as held by no node`);
    if (seen.has(block.network.text)) warnings.push(`${label} is a second block for ${block.network.text}: both are counted, as calicoctl does`);
    seen.add(block.network.text);
    if (BigInt(block.unallocatedCount) > block.network.size) {
      warnings.push(
        `${label} (${block.network.text}) lists ${block.unallocatedCount} free addresses but holds ${block.network.size}: ` +
          `its in-use count is negative (calicoctl prints it the same)`,
      );
    }
    blocks.push(block);
  });
  return blocks;
}

export function checkAffinities(raw: unknown[], warnings: string[]): Affinity[] {
  const out: Affinity[] = [];
  raw.forEach((item, i) => {
    const spec = isDict(item) && isDict(item.spec) ? item.spec : undefined;
    if (!spec || typeof spec.node !== "string" || typeof spec.cidr !== "string") {
      warnings.push(`${nameOf("BlockAffinity", item, i)} skipped: spec.node and spec.cidr must be strings`);
      return;
    }
    const a = item as BlockAffinity;
    out.push({
      name: a.metadata?.name ?? "",
      node: spec.node,
      cidr: spec.cidr,
      network: parseNetwork(spec.cidr),
      state: typeof spec.state === "string" ? spec.state : "",
      // The CRD field is the string "true"/"false": a plain truthiness test would call "false" deleted.
      deleted: String(spec.deleted) === "true",
    });
  });
  return out;
}

export function checkNodes(raw: unknown[]): string[] {
  return raw
    .map((n) => (isDict(n) ? (n as KubeNode).metadata?.name : undefined))
    .filter((n): n is string => typeof n === "string" && n !== "");
}

export function checkTigeraStatuses(raw: unknown[], warnings: string[]): TigeraStatus[] {
  return raw.filter((item, i): item is TigeraStatus => {
    const status = isDict(item) ? item.status : undefined;
    const conditions = isDict(status) ? status.conditions : undefined;
    const ok = isDict(item) && (status === undefined || (isDict(status) && (conditions === undefined || (Array.isArray(conditions) && conditions.every(isDict)))));
    if (!ok) warnings.push(`${nameOf("TigeraStatus", item, i)} skipped: status.conditions is not a list of conditions`);
    return ok;
  });
}

export function checkSnapshot(snapshot: Pick<IpamSnapshot, "ippools" | "ipamblocks" | "blockaffinities" | "nodes" | "tigerastatuses">): Checked {
  const warnings: string[] = [];
  return {
    pools: checkPools(snapshot.ippools, warnings),
    blocks: checkBlocks(snapshot.ipamblocks, warnings),
    affinities: checkAffinities(snapshot.blockaffinities, warnings),
    nodes: checkNodes(snapshot.nodes),
    tigerastatuses: checkTigeraStatuses(snapshot.tigerastatuses, warnings),
    warnings,
  };
}
