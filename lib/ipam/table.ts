// The `calicoctl ipam show [--show-blocks]` table, so the report reads like the tool the lab teaches:
// numbers as Go's %.5g, percentages as %.f%%, a box of + - | with centred headers, numbers right-aligned.
import type { BlockSummary, IpamSummary } from "./types";

const HEADERS = ["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE"];

/** Go's %.5g for a count: exact decimal digits, ties rounded to even as strconv does. */
export function formatG5(value: number): string {
  if (value === 0) return "0";
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 ? "-" : "";
  if (!Number.isInteger(value)) {
    // Counts are integers; this path only keeps odd input printable.
    return sign + Number(Math.abs(value).toPrecision(5)).toString();
  }
  const digits = BigInt(Math.abs(value)).toString();
  if (digits.length <= 5) return sign + digits;
  let head = digits.slice(0, 5);
  const rest = digits.slice(5);
  const roundUp = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || Number(head[4]) % 2 === 1));
  let exponent = digits.length - 1;
  if (roundUp) {
    head = (BigInt(head) + 1n).toString();
    if (head.length > 5) {
      head = head.slice(0, 5);
      exponent += 1;
    }
  }
  const mantissa = `${head[0]}.${head.slice(1)}`.replace(/\.?0+$/, "");
  return `${sign}${mantissa}e+${String(exponent).padStart(2, "0")}`;
}

/** Go's %.f: nearest integer, exact halves to even. */
export function formatPercent(part: number, whole: number): string {
  const value = whole === 0 ? 0 : (100 * part) / whole;
  const floor = Math.floor(value);
  const diff = value - floor;
  const rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return `${rounded}%`;
}

function usage(part: number, whole: number): string {
  return `${formatG5(part)} (${formatPercent(part, whole)})`;
}

function row(grouping: string, cidr: string, total: number, inUse: number): string[] {
  return [grouping, cidr, formatG5(total), usage(inUse, total), usage(total - inUse, total)];
}

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]\d+)?$/;

function pad(text: string, width: number, align: "left" | "right" | "center"): string {
  const gap = width - text.length;
  if (align === "right") return " ".repeat(gap) + text;
  if (align === "left") return text + " ".repeat(gap);
  const left = Math.floor(gap / 2);
  return " ".repeat(left) + text + " ".repeat(gap - left);
}

/** A box table: header centred, numeric cells right-aligned, others left-aligned. */
export function renderBox(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: string[], header: boolean): string =>
    `| ${cells
      .map((c, i) => pad(c, widths[i], header ? "center" : NUMERIC.test(c) ? "right" : "left"))
      .join(" | ")} |`;
  const out = [rule, line(headers, true), rule, ...rows.map((r) => line(r, false))];
  if (rows.length > 0) out.push(rule);
  return `${out.join("\n")}\n`;
}

function blockRow(block: BlockSummary): string[] {
  return row("Block", block.cidr, block.ipsTotal, block.ipsInUse);
}

export interface TableOptions {
  showBlocks?: boolean;
}

export function renderIpamTable(ipam: IpamSummary, opts: TableOptions = {}): string {
  const rows: string[][] = [];
  for (const pool of ipam.pools) {
    rows.push(row("IP Pool", pool.cidr, pool.ipsTotal, pool.ipsInUse));
    if (opts.showBlocks) {
      for (const block of ipam.blocks) if (block.pool === pool.name) rows.push(blockRow(block));
    }
  }
  let text = renderBox(HEADERS, rows);
  if (ipam.pools.length === 0) text += "No IP pools found.\n";

  const orphans = ipam.orphanBlocks;
  if (orphans.length > 0) {
    // No pool counts these addresses, so they are shown apart rather than silently dropped.
    const inUse = orphans.reduce((sum, b) => sum + b.ipsInUse, 0);
    const noun = orphans.length === 1 ? "block" : "blocks";
    if (opts.showBlocks) {
      text += `\n${orphans.length} ${noun} outside every IP pool (orphaned):\n`;
      text += renderBox(HEADERS, orphans.map(blockRow));
    } else {
      const ips = inUse === 1 ? "IP" : "IPs";
      const pronoun = orphans.length === 1 ? "it" : "them";
      text += `\n${orphans.length} ${noun} outside every IP pool (orphaned), ${formatG5(inUse)} ${ips} in use: --show-blocks lists ${pronoun}.\n`;
    }
  }
  return text;
}
