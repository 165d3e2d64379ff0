// A map of each pool's address space: one cell per block, in address order left to right and top to
// bottom, coloured by the node holding it and filled from the bottom by the share of addresses in use.
// Unclaimed blocks are drawn by one patterned rectangle, so the file grows with claimed blocks only.
import { addressAt, parseRange, type AddressRange } from "./summary";
import type { BlockSummary, IpamState, PoolSummary } from "./types";

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const UNCLAIMED = "#e5e7eb";
const NO_NODE = "#6b7280";
const MARGIN = 24;
const GRID_TARGET_PX = 512;
const MAX_CELL_PX = 24;
/** Past 2^20 cells a block-by-block grid stops being readable (and the pattern would be sub-pixel). */
const MAX_GRID_BITS = 20;
const CHAR_PX = 7;
const LINE_PX = 18;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ""}>${escapeXml(content)}</text>`;
}

function blockLabel(block: BlockSummary): string {
  const owner = block.node ?? "no node";
  return `${block.cidr} · ${owner} · ${block.ipsInUse} of ${block.ipsTotal} in use`;
}

interface Drawn {
  svg: string[];
  height: number;
  width: number;
}

function drawPool(
  pool: PoolSummary,
  blocks: BlockSummary[],
  colourOf: (node: string | null) => string,
  top: number,
  index: number,
): Drawn {
  const svg: string[] = [];
  const range = parseRange(pool.cidr);
  const heading = `IP pool ${pool.cidr} (${pool.name}): ${pool.ipsInUse} of ${pool.ipsTotal} addresses in use`;
  svg.push(text(MARGIN, top + 16, heading, `class="pool-title"`));
  let y = top + 28;
  const bits = range ? pool.blockSize - range.prefix : -1;
  if (!range || bits < 0 || bits > MAX_GRID_BITS) {
    svg.push(text(MARGIN, y + 14, "This pool is too large (or too odd) to draw block by block; its blocks:"));
    y += LINE_PX + 6;
    for (const block of blocks) {
      svg.push(`<g class="block">${text(MARGIN + 12, y + 12, blockLabel(block))}</g>`);
      y += LINE_PX;
    }
    return { svg, height: y - top + 8, width: heading.length * CHAR_PX };
  }

  const cols = 2 ** Math.ceil(bits / 2);
  const rows = 2 ** Math.floor(bits / 2);
  const cell = Math.max(1, Math.min(MAX_CELL_PX, Math.floor(GRID_TARGET_PX / cols)));
  const gridW = cols * cell;
  const gridH = rows * cell;
  const blockAddresses = 1n << BigInt(range.bits - pool.blockSize);
  // Row labels (the first address of a row) every ~48 px, so a cell can be located by eye.
  const labelEvery = 2 ** Math.ceil(Math.log2(Math.max(1, 48 / cell)));
  const labelW = (range.family === 4 ? 15 : 39) * CHAR_PX;
  const gx = MARGIN + labelW;
  for (let r = 0; r < rows; r += labelEvery) {
    const first = addressAt(range, BigInt(r * cols) * blockAddresses);
    svg.push(text(gx - 6, y + r * cell + Math.min(cell, 12) - 1, first, `class="row-label" text-anchor="end" font-size="10" fill="#4b5563"`));
  }
  const patternId = `unclaimed-${index}`;
  // Grid lines only where a cell is big enough for them to separate anything.
  const lines = cell >= 4 ? ` stroke="#ffffff" stroke-width="1"` : "";
  svg.push(
    `<defs><pattern id="${patternId}" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse" x="${gx}" y="${y}">` +
      `<rect width="${cell}" height="${cell}" fill="${UNCLAIMED}"${lines}/></pattern></defs>`,
    `<rect class="pool-grid" x="${gx}" y="${y}" width="${gridW}" height="${gridH}" fill="url(#${patternId})"/>`,
  );
  for (const block of blocks) {
    const at = cellIndex(range, parseRange(block.cidr), blockAddresses);
    if (at === undefined || at >= cols * rows) continue;
    const x = gx + (at % cols) * cell;
    const cy = y + Math.floor(at / cols) * cell;
    const colour = colourOf(block.node);
    const share = block.ipsTotal > 0 ? block.ipsInUse / block.ipsTotal : 0;
    const fillH = round2(cell * share);
    svg.push(
      `<g class="block"><title>${escapeXml(blockLabel(block))}</title>` +
        `<rect x="${x}" y="${cy}" width="${cell}" height="${cell}" fill="${colour}" fill-opacity="0.3" stroke="${colour}" stroke-width="${cell >= 4 ? 1 : 0}"/>` +
        (fillH > 0 ? `<rect x="${x}" y="${round2(cy + cell - fillH)}" width="${cell}" height="${fillH}" fill="${colour}"/>` : "") +
        `</g>`,
    );
  }
  const caption = `${cols * rows} blocks of /${pool.blockSize}, ${blocks.length} claimed; grey: unclaimed`;
  svg.push(text(gx, y + gridH + 16, caption, `class="caption"`));
  return { svg, height: y + gridH + 28 - top, width: Math.max(labelW + gridW, heading.length * CHAR_PX, labelW + caption.length * CHAR_PX) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Position of a block inside its pool, counted in blocks from the pool's first address. */
function cellIndex(pool: AddressRange, block: AddressRange | undefined, blockAddresses: bigint): number | undefined {
  if (!block || block.start < pool.start || block.start > pool.end) return undefined;
  return Number((block.start - pool.start) / blockAddresses);
}

export function renderIpamSvg(state: IpamState): string {
  const { ipam } = state;
  const nodeNames = ipam.nodes.map((n) => n.name);
  const colours = new Map(nodeNames.map((name, i) => [name, PALETTE[i % PALETTE.length]]));
  const colourOf = (node: string | null): string => (node === null ? NO_NODE : (colours.get(node) ?? NO_NODE));

  const body: string[] = [];
  const title = ipam.pools.length > 0 ? `Calico IPAM: ${ipam.pools.map((p) => p.cidr).join(", ")}` : "Calico IPAM: no IP pools";
  body.push(text(MARGIN, MARGIN + 8, title, `class="title" font-size="16" font-weight="bold"`));
  let y = MARGIN + 20;
  let width = title.length * 9;
  ipam.pools.forEach((pool, i) => {
    const drawn = drawPool(pool, ipam.blocks.filter((b) => b.pool === pool.name), colourOf, y, i);
    body.push(...drawn.svg);
    y += drawn.height;
    width = Math.max(width, drawn.width);
  });

  // Legend: one row per node, columns placed after the longest name so long names never overlap.
  const nameW = Math.max(10, ...nodeNames.map((n) => n.length)) * CHAR_PX + 28;
  y += 8;
  body.push(`<g class="legend">`, text(MARGIN, y + 12, "node", `font-weight="bold"`));
  body.push(text(MARGIN + nameW, y + 12, "blocks", `font-weight="bold"`), text(MARGIN + nameW + 70, y + 12, "in use", `font-weight="bold"`));
  y += LINE_PX;
  for (const node of ipam.nodes) {
    const inUse = node.ipsBorrowed > 0 ? `${node.ipsInUse} (+${node.ipsBorrowed} borrowed)` : String(node.ipsInUse);
    body.push(
      `<g class="legend-row"><rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${colourOf(node.name)}"/>` +
        text(MARGIN + 20, y + 12, node.name) +
        text(MARGIN + nameW, y + 12, String(node.blocks)) +
        text(MARGIN + nameW + 70, y + 12, inUse) +
        `</g>`,
    );
    y += LINE_PX;
  }
  body.push(`<rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${UNCLAIMED}"/>`, text(MARGIN + 20, y + 12, "unclaimed block"), `</g>`);
  y += LINE_PX;
  width = Math.max(width, nameW + 200);

  if (ipam.orphanBlocks.length > 0) {
    y += 8;
    body.push(text(MARGIN, y + 12, "Blocks outside every IP pool (orphaned):", `font-weight="bold"`));
    y += LINE_PX;
    for (const block of ipam.orphanBlocks) {
      const label = blockLabel(block);
      body.push(
        `<g class="block orphan"><title>${escapeXml(label)}</title><rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${colourOf(block.node)}"/>${text(MARGIN + 20, y + 12, label)}</g>`,
      );
      width = Math.max(width, label.length * CHAR_PX + 20);
      y += LINE_PX;
    }
  }

  const totalW = Math.ceil(width + 2 * MARGIN);
  const totalH = Math.ceil(y + MARGIN);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...body,
    `</svg>`,
    ``,
  ].join("\n");
}
