// The text of `calicoctl ipam show` v3.30.7 (calicoctl/calicoctl/commands/ipam/show.go), reproduced
// byte for byte from the same objects: the pool table (--show-blocks), --show-borrowed,
// --show-configuration and --ip ADDR. What calicoctl does not print (IPv6 orphans, corruption) is
// reported elsewhere: `check`, --json and warnings on stderr.
import { addressAt, cidrContains, parseGoIp } from "../core/cidr";
import { escapeControl, printable, type Block, type Checked, type Pool } from "./normalise";
import { assignBlocks } from "./summary";
import { formatG5, renderTable, usage } from "./table";
import type { IPAMConfig } from "./types";

const UTILIZATION_HEADERS = ["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE"];

/**
 * libcalico-go/lib/backend/model/block.go:226 NumAddresses is `1 << uint(size-ones)` in a Go int:
 * 0 from 64 host bits on, -2^63 at 63. In use is then that int minus len(unallocated), wrapping as Go does.
 */
function goBlockNumbers(block: Block): { capacity: number; inUse: number } {
  const hostBits = BigInt(block.network.bits - block.network.prefix);
  const capacity = BigInt.asIntN(64, hostBits >= 64n ? 0n : 1n << hostBits);
  const inUse = BigInt.asIntN(64, capacity - BigInt(block.unallocatedCount));
  return { capacity: Number(capacity), inUse: Number(inUse) };
}

/** show.go:181 genRow. */
function row(kind: string, cidr: string, inUse: number, capacity: number): string[] {
  return [kind, cidr, formatG5(capacity), usage(inUse, capacity), usage(capacity - inUse, capacity)];
}

/**
 * show.go:174 showBlockUtilization over ipam.go:2127 GetUtilization: one group per pool in list order,
 * then calicoctl's orphan group 0.0.0.0/0, which takes the IPv4 blocks outside every pool (IPv6 ones
 * fall in no group and are never shown, as Go's IPNet.Contains is false across families).
 */
export function renderUtilization(checked: Pick<Checked, "pools" | "blocks">, showBlocks: boolean): string {
  const groups = new Map<Pool | "orphans", string[][]>(checked.pools.map((p) => [p, []]));
  groups.set("orphans", []);
  const inUseOf = new Map<Pool | "orphans", number>();
  const assigned = assignBlocks(checked.pools, checked.blocks);
  checked.blocks.forEach((block, i) => {
    const group = assigned[i] ?? (block.network.family === "IPv4" ? "orphans" : undefined);
    if (group === undefined) return;
    const { capacity, inUse } = goBlockNumbers(block);
    (groups.get(group) as string[][]).push(row("Block", block.network.text, inUse, capacity));
    inUseOf.set(group, (inUseOf.get(group) ?? 0) + inUse);
  });
  const rows: string[][] = [];
  for (const [group, blockRows] of groups) {
    // show.go:202: `if ones > 0`, so neither the orphan group nor a /0 pool gets a pool row.
    if (group !== "orphans" && group.network.prefix > 0) {
      const capacity = 2 ** (group.network.bits - group.network.prefix);
      rows.push(row("IP Pool", group.network.text, inUseOf.get(group) ?? 0, capacity));
    }
    if (showBlocks) rows.push(...blockRows);
  }
  return renderTable(UTILIZATION_HEADERS, rows);
}

/** show.go:49 getBorrowedIPs + showBorrowedDetails: addresses a node holds in a block it has no affinity to. */
export function renderBorrowed(checked: Pick<Checked, "blocks">): { text: string; warnings: string[] } {
  const rows: string[][] = [];
  const warnings: string[] = [];
  let unclassified = 0;
  for (const block of checked.blocks) {
    // show.go:82: the affinity split at ":"; two parts give the second, otherwise the first.
    const parts = block.affinity === null ? [] : block.affinity.split(":");
    const owner = block.affinity === null ? "" : parts.length === 2 ? parts[1] : parts[0];
    block.allocations.forEach((index, ordinal) => {
      if (index === null) return;
      const attr = block.attributes[index];
      if (!attr) {
        warnings.push(`IPAMBlock ${JSON.stringify(printable(block.name))} points at attribute ${index}, which it does not have (calicoctl would crash here)`);
        return;
      }
      if (!("node" in attr.secondary)) {
        unclassified += 1;
        return;
      }
      const borrower = attr.secondary.node;
      if (owner === borrower) return;
      let type = "";
      let allocatedTo = "";
      if ("pod" in attr.secondary) {
        allocatedTo = `${attr.secondary.namespace ?? ""}/${attr.secondary.pod}`;
        type = "pod";
      } else if ("type" in attr.secondary) {
        type = attr.secondary.type;
      }
      const ip = addressAt(block.network, BigInt(ordinal));
      rows.push([ip, borrower, block.network.text, owner, type, allocatedTo].map(escapeControl));
    });
  }
  let text = renderTable(["IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "ALLOCATED-TO"], rows);
  if (unclassified !== 0) {
    text += `\nNote: found ${unclassified} IP allocations without an explicit node association. Unable to determine if they are borrowed.\n`;
  }
  return { text, warnings };
}

/**
 * show.go:216 showConfiguration: the IPAMConfig fields with Go's %#v. calicoctl creates the
 * "default" IPAMConfig when there is none (ipam.go GetIPAMConfig); this read-only view shows the
 * defaults it would create instead.
 */
export function renderConfiguration(config: IPAMConfig | null | undefined): string {
  const spec = config?.spec ?? { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 };
  return renderTable(
    ["PROPERTY", "VALUE"],
    [
      ["StrictAffinity", String(spec.strictAffinity === true)],
      ["AutoAllocateBlocks", String(spec.autoAllocateBlocks === true)],
      ["MaxBlocksPerHost", String(Number.isInteger(spec.maxBlocksPerHost) ? spec.maxBlocksPerHost : 0)],
    ],
  );
}

export interface IpLookup {
  ip: string;
  inUse: boolean;
  /** The block that would hold it (in use or not), when an enabled pool covers it. */
  block: string | null;
  blockNode: string | null;
  handle: string | null;
  attributes: Record<string, string>;
  text: string;
}

/**
 * show.go:146 showIP over ipam.go:1875 GetAssignmentAttributes: the first enabled pool of the
 * address's family that holds it, the block its blockSize gives, the allocation in that block.
 * Go prints the attributes in map order, which is random; they are sorted here.
 */
export function lookupIp(text: string, checked: Pick<Checked, "pools" | "blocks">): IpLookup | undefined {
  const address = parseGoIp(text);
  if (!address) return undefined;
  const notAssigned = (block: Block | null = null): IpLookup => ({
    ip: address.text,
    inUse: false,
    block: block?.network.text ?? null,
    blockNode: block?.node ?? null,
    handle: null,
    attributes: {},
    text: `${address.text} is not assigned\n`,
  });
  const pool = checked.pools.find((p) => !p.disabled && cidrContains(p.network, address));
  if (!pool || !pool.blockSizeValid) return notAssigned();
  const size = 1n << BigInt(pool.network.bits - pool.blockSize);
  const start = address.value - (address.value % size);
  const block = checked.blocks.find((b: Block) => !b.deleted && b.network.family === address.family && b.network.start === start && b.network.size === size);
  if (!block) return notAssigned();
  const index = block.allocations[Number(address.value - start)];
  if (index === null || index === undefined) return notAssigned(block);
  const attr = block.attributes[index];
  const attributes = attr?.secondary ?? {};
  const keys = Object.keys(attributes).sort();
  const lines = [`IP ${address.text} is in use`, ...(keys.length > 0 ? ["Attributes:", ...keys.map((k) => `  ${escapeControl(k)}: ${escapeControl(attributes[k])}`)] : ["No attributes defined"])];
  return {
    ip: address.text,
    inUse: true,
    block: block.network.text,
    blockNode: block.node,
    // ipam_block.go sanitizeHandle: a handle is cut at its first "\r".
    handle: attr?.handle ? attr.handle.split("\r")[0] : null,
    attributes,
    text: `${lines.join("\n")}\n`,
  };
}
