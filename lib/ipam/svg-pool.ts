// One pool of the IPAM picture. A pool of up to 2^16 blocks is a grid of all its blocks in address
// order (left to right, top to bottom), drawn with one path per colour in cell units so the file
// grows with claimed blocks only (10,240 blocks stay well under 300 KB). A larger pool (an IPv6 /56
// holds 2^66 /122 blocks) is drawn compressed: one labelled row of claimed blocks per node, with the
// number of unclaimed blocks written out.
import { addressAt, cidrContains, compareNetworks, parseNetwork, type Network } from "../core/cidr";
import {
  BORROWED, CHAR_PX, clip, escapeXml, LINE_PX, MARGIN, PROBLEM, round, shadeOf, share, text, thousands, UNCLAIMED,
  powerOfTwo, type MarksUsed,
} from "./svg-marks";
import type { BlockSummary, PoolSummary } from "./types";

const GRID_PX = 640;
const MAX_CELL_PX = 48;
const BAR_MIN_CELL_PX = 8;
const LABEL_MIN_CELL_PX = 40;
/** Past 2^16 blocks a grid cell would be smaller than a pixel. */
const MAX_GRID_BITS = 16;
const ROW_CELL_PX = 14;
const ROW_CELLS = 36;
const MAX_NODE_ROWS = 16;

export interface PoolContext {
  colourOf: (node: string | null) => string;
  isOther: (node: string | null) => boolean;
  /** Position in the node table (busiest first), so rows of a compressed pool follow the same order. */
  rankOf: (node: string | null) => number;
  leaks: Map<string, number>;
  /** Canonical cidrs of dangling affinities. */
  dangling: Set<string>;
  tooltips: boolean;
  used: MarksUsed;
  warnings: string[];
}

export interface Drawn {
  parts: string[];
  height: number;
  width: number;
}

interface Placed {
  block: BlockSummary;
  network: Network;
}

function blockTitle(b: BlockSummary): string {
  const borrowed = b.ipsBorrowed !== "0" ? `, ${b.ipsBorrowed} borrowed by other nodes` : "";
  return `${b.cidr} · ${b.node ?? "no node"} · ${b.ipsInUse} of ${b.ipsTotal} in use${borrowed}`;
}

function heading(pool: PoolSummary, top: number): string {
  const state = pool.disabled ? " (disabled)" : "";
  const line = `IP pool ${pool.cidr} “${clip(pool.name, 40)}”${state}: ${thousands(pool.ipsInUse)} of ${thousands(pool.ipsTotal)} addresses in use`;
  return text(MARGIN, top + 14, line, `class="pool-title" font-weight="bold"`);
}

function noteMarks(b: BlockSummary, ctx: PoolContext): void {
  if (b.node === null) ctx.used.noNode = true;
  else if (ctx.isOther(b.node)) ctx.used.others = true;
  if (b.ipsBorrowed !== "0") ctx.used.borrowed = true;
  if (ctx.leaks.has(b.cidr)) ctx.used.leaked = true;
}

/** Marks on a cell at pixel (x, y) of size `size`: leaked dot (the corner triangle is drawn in the path). */
function leakDot(b: BlockSummary, x: number, y: number, size: number, ctx: PoolContext): string {
  if (!ctx.leaks.has(b.cidr)) return "";
  const r = Math.max(1.5, size * 0.18);
  return `<circle cx="${round(x + r + 0.5)}" cy="${round(y + r + 0.5)}" r="${round(r)}" fill="${PROBLEM}"/>`;
}

function danglingFrame(x: number, y: number, size: number): string {
  return `<rect x="${round(x)}" y="${round(y)}" width="${size}" height="${size}" fill="none" stroke="${PROBLEM}" stroke-width="2" stroke-dasharray="3 2"/>`;
}

export function drawPool(pool: PoolSummary, blocks: BlockSummary[], top: number, ctx: PoolContext, index: number): Drawn {
  const network = parseNetwork(pool.cidr) as Network;
  const bits = pool.blockSize - network.prefix;
  const placed = blocks
    .map((block) => ({ block, network: parseNetwork(block.cidr) }))
    .filter((p): p is Placed => p.network !== undefined)
    .sort((a, b) => compareNetworks(a.network, b.network));
  placed.forEach((p) => noteMarks(p.block, ctx));
  const gridable = Number.isInteger(pool.blockSize) && bits >= 0 && bits <= MAX_GRID_BITS && pool.blockSize <= network.bits;
  const drawn = gridable ? drawGrid(pool, network, bits, placed, top, ctx, index) : drawByNode(pool, network, placed, top, ctx);
  if (pool.disabled) {
    ctx.used.disabled = true;
    drawn.parts.push(`<rect x="${MARGIN - 6}" y="${top}" width="${drawn.width + 12}" height="${drawn.height - 4}" fill="none" stroke="#6b7280" stroke-dasharray="4 3"/>`);
  }
  return drawn;
}

function drawGrid(pool: PoolSummary, network: Network, bits: number, placed: Placed[], top: number, ctx: PoolContext, index: number): Drawn {
  const parts = [heading(pool, top)];
  const cols = 2 ** Math.ceil(bits / 2);
  const rows = 2 ** Math.floor(bits / 2);
  const cell = Math.max(1, Math.min(MAX_CELL_PX, Math.floor(GRID_PX / cols)));
  const blockAddresses = 1n << BigInt(network.bits - pool.blockSize);
  const labelW = (network.family === "IPv4" ? 15 : 39) * 6 + 8;
  const gx = MARGIN + labelW;
  const gy = top + 26;
  const bars = cell >= BAR_MIN_CELL_PX;
  if (bars) ctx.used.bars = true;
  else if (placed.length > 0) ctx.used.shades = true;

  // Row labels (the first address of a row) every ~48 px, so a cell can be found by eye.
  const every = 2 ** Math.ceil(Math.log2(Math.max(1, 48 / cell)));
  for (let r = 0; r < rows; r += every) {
    const first = addressAt(network, BigInt(r * cols) * blockAddresses);
    parts.push(text(gx - 6, gy + r * cell + Math.min(cell, 12) - 2, first, `text-anchor="end" font-size="10" fill="#4b5563"`));
  }
  parts.push(`<rect x="${gx}" y="${gy}" width="${cols * cell}" height="${rows * cell}" fill="${UNCLAIMED}"/>`);

  // Cells in cell units: runs of neighbours with the same colour and shade become one rectangle.
  const runs = new Map<string, string[]>();
  const barPaths = new Map<string, string[]>();
  const triangles: string[] = [];
  const overlay: string[] = [];
  let last: { key: string; index: number; start: number } | undefined;
  const flush = (): void => {
    if (!last) return;
    const n = last.index - last.start + 1;
    const list = runs.get(last.key) ?? [];
    list.push(`M${last.start % cols} ${Math.floor(last.start / cols)}h${n}v1h-${n}z`);
    runs.set(last.key, list);
    last = undefined;
  };
  for (const { block, network: bn } of placed) {
    if (!cidrContains(network, bn)) {
      ctx.warnings.push(`block ${block.cidr} does not fit in the grid of pool ${pool.cidr}: not drawn there`);
      continue;
    }
    const at = Number((bn.start - network.start) / blockAddresses);
    const colour = ctx.colourOf(block.node);
    const fraction = share(block.ipsInUse, block.ipsTotal);
    const key = `${colour}|${bars ? 0.3 : shadeOf(fraction)}`;
    if (!last || last.key !== key || last.index + 1 !== at || at % cols === 0) {
      flush();
      last = { key, index: at, start: at };
    } else {
      last.index = at;
    }
    const c = at % cols;
    const r = Math.floor(at / cols);
    if (bars && fraction > 0) {
      const s = round(fraction);
      const list = barPaths.get(colour) ?? [];
      list.push(`M${c} ${r + 1}v-${s}h1v${s}z`);
      barPaths.set(colour, list);
    }
    if (block.ipsBorrowed !== "0") triangles.push(`M${c + 0.6} ${r}h.4v.4z`);
    const x = gx + c * cell;
    const y = gy + r * cell;
    overlay.push(leakDot(block, x, y, cell, ctx));
    if (ctx.dangling.has(block.cidr)) overlay.push(danglingFrame(x, y, cell));
    if (cell >= LABEL_MIN_CELL_PX) {
      const fixed = network.family === "IPv4" ? Math.floor(network.prefix / 8) : 0;
      const label = network.family === "IPv4" ? `.${bn.text.split("/")[0].split(".").slice(Math.max(1, fixed)).join(".")}` : bn.text.split("/")[0].split(":").slice(-1)[0];
      overlay.push(text(x + 3, y + 12, clip(label, 8), `font-size="9" fill="#111827"`), text(x + 3, y + 23, clip(`${block.ipsInUse}/${block.ipsTotal}`, 8), `font-size="9" fill="#111827"`));
    }
    if (ctx.tooltips) {
      overlay.push(`<rect class="block" x="${x}" y="${y}" width="${cell}" height="${cell}" fill-opacity="0"><title>${escapeXml(clip(blockTitle(block), 160))}</title></rect>`);
    }
  }
  flush();
  const paths: string[] = [];
  for (const [key, list] of runs) {
    const [colour, opacity] = key.split("|");
    paths.push(`<path fill="${colour}"${opacity === "1" ? "" : ` fill-opacity="${opacity}"`} d="${list.join("")}"/>`);
  }
  for (const [colour, list] of barPaths) paths.push(`<path fill="${colour}" d="${list.join("")}"/>`);
  if (triangles.length > 0) paths.push(`<path fill="${BORROWED}" d="${triangles.join("")}"/>`);
  parts.push(`<g class="cells" transform="translate(${gx} ${gy}) scale(${cell})">${paths.join("")}</g>`);
  if (cell >= 4) {
    // Grid lines once, as a pattern over every cell, instead of an outline per block.
    parts.push(
      `<defs><pattern id="grid-${index}" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse" x="${gx}" y="${gy}">` +
        `<path d="M0 0h${cell}M0 0v${cell}" stroke="#ffffff" stroke-width="1" fill="none"/></pattern></defs>`,
      `<rect x="${gx}" y="${gy}" width="${cols * cell}" height="${rows * cell}" fill="url(#grid-${index})"/>`,
    );
  }
  parts.push(...overlay.filter((o) => o !== ""));
  const dangling = [...ctx.dangling].filter((cidr) => !placed.some((p) => p.block.cidr === cidr));
  for (const cidr of dangling) {
    const n = parseNetwork(cidr);
    if (!n || n.family !== network.family || n.start < network.start || n.start >= network.start + network.size) continue;
    const at = Number((n.start - network.start) / blockAddresses);
    parts.push(danglingFrame(gx + (at % cols) * cell, gy + Math.floor(at / cols) * cell, cell));
  }
  const noNode = placed.filter((p) => p.block.node === null).length;
  const caption =
    `${thousands(cols * rows)} blocks of /${pool.blockSize} (${thousands(blockAddresses)} addresses each), ${thousands(placed.length)} claimed` +
    (noNode > 0 ? ` (${noNode} by no node)` : "");
  parts.push(text(gx, gy + rows * cell + 15, caption, `class="caption" fill="#374151"`));
  return { parts, height: rows * cell + 26 + 26, width: labelW + Math.max(cols * cell, caption.length * CHAR_PX) };
}

/** The compressed view: a labelled row of claimed blocks per node, unclaimed blocks counted in words. */
function drawByNode(pool: PoolSummary, network: Network, placed: Placed[], top: number, ctx: PoolContext): Drawn {
  const parts = [heading(pool, top)];
  let y = top + 24;
  const total = BigInt(pool.blocksTotal);
  const unclaimed = total - BigInt(placed.length);
  const size = powerOfTwo(total);
  const caption =
    total > 0n
      ? `${thousands(placed.length)} of ${thousands(total)}${size ? ` (${size})` : ""} blocks of /${pool.blockSize} claimed; ` +
        `${thousands(unclaimed > 0n ? unclaimed : 0n)} unclaimed, not drawn. Claimed blocks by node:`
      : `blockSize ${pool.blockSize} cannot be laid out in ${network.text}: its ${placed.length} blocks, by node:`;
  parts.push(text(MARGIN, y + 12, caption, `class="caption" fill="#374151"`));
  y += LINE_PX + 4;

  const byNode = new Map<string | null, Placed[]>();
  for (const p of placed) byNode.set(p.block.node, [...(byNode.get(p.block.node) ?? []), p]);
  const ordered = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length || ctx.rankOf(a[0]) - ctx.rankOf(b[0]));
  const shown = ordered.slice(0, MAX_NODE_ROWS);
  const rest = ordered.slice(MAX_NODE_ROWS);
  const nameW = 30 * CHAR_PX;
  let width = caption.length * CHAR_PX;
  for (const [node, list] of shown) {
    const first = list[0].block.cidr;
    const lastCidr = list[list.length - 1].block.cidr;
    const label = `${clip(node ?? "no node", 28)}: ${list.length} block${list.length === 1 ? "" : "s"}`;
    parts.push(`<rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${ctx.colourOf(node)}"/>`, text(MARGIN + 18, y + 12, label));
    const cx = MARGIN + nameW;
    list.slice(0, ROW_CELLS).forEach(({ block }, i) => {
      const x = cx + i * ROW_CELL_PX;
      const colour = ctx.colourOf(block.node);
      const h = round((ROW_CELL_PX - 2) * share(block.ipsInUse, block.ipsTotal));
      parts.push(
        `<g class="block"><rect x="${x}" y="${y + 2}" width="${ROW_CELL_PX - 2}" height="${ROW_CELL_PX - 2}" fill="${colour}" fill-opacity="0.3"/>` +
          (h > 0 ? `<rect x="${x}" y="${round(y + ROW_CELL_PX - h)}" width="${ROW_CELL_PX - 2}" height="${h}" fill="${colour}"/>` : "") +
          (block.ipsBorrowed !== "0" ? `<path d="M${x + 7} ${y + 2}h5v5z" fill="${BORROWED}"/>` : "") +
          leakDot(block, x, y + 2, ROW_CELL_PX - 2, ctx) +
          (ctx.dangling.has(block.cidr) ? danglingFrame(x, y + 2, ROW_CELL_PX - 2) : "") +
          (ctx.tooltips ? `<title>${escapeXml(clip(blockTitle(block), 160))}</title>` : "") +
          `</g>`,
      );
    });
    ctx.used.bars = true;
    const more = list.length > ROW_CELLS ? ` +${list.length - ROW_CELLS} more,` : "";
    const range = `${more} ${first}${list.length > 1 ? ` … ${lastCidr}` : ""}`;
    const after = cx + Math.min(list.length, ROW_CELLS) * ROW_CELL_PX + 6;
    parts.push(text(after, y + 12, range.trim(), `font-size="10" fill="#4b5563"`));
    width = Math.max(width, after - MARGIN + range.length * 6);
    y += LINE_PX;
  }
  if (rest.length > 0) {
    const blocks = rest.reduce((n, [, list]) => n + list.length, 0);
    parts.push(text(MARGIN + 18, y + 12, `and ${rest.length} more nodes with ${thousands(blocks)} blocks in this pool`));
    y += LINE_PX;
  }
  return { parts, height: y - top + 10, width };
}
