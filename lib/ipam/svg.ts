// The IPAM state as one SVG picture that reads the same at 3 nodes and at 200: a title with the
// cluster and time, one section per pool (svg-pool.ts), a node table capped at the busiest nodes, the
// blocks outside every pool, what `check` found, and a legend that explains every mark used.
// Drawing never throws on odd data: what cannot be drawn is said in the picture and in `warnings`.
import { compareNatural } from "./natural-order";
import { drawPool, type PoolContext } from "./svg-pool";
import {
  clip, escapeXml, legend, LINE_PX, MARGIN, NO_NODE, noMarks, OTHER_NODES, PALETTE, PROBLEM, text, thousands, CHAR_PX,
} from "./svg-marks";
import type { CheckProblem, IpamState, NodeSummary } from "./types";

/** Past this many blocks, per-block hover titles would make the file too large: they are left out. */
const TOOLTIP_LIMIT = 2_000;
const NODE_ROWS = 20;
const ORPHAN_ROWS = 12;
const PROBLEM_ROWS = 12;

export interface SvgOptions {
  /** Which cluster, for the title (e.g. its API server address). */
  cluster?: string;
  at?: Date;
}

export interface RenderedSvg {
  svg: string;
  /** What could not be drawn, one line each. */
  warnings: string[];
}

/** Busiest first: most blocks, then most addresses in use, then name. The colours and the node table share it. */
function rank(nodes: NodeSummary[]): NodeSummary[] {
  const byUse = (a: NodeSummary, b: NodeSummary): number => {
    const d = BigInt(b.ipsInUse) - BigInt(a.ipsInUse);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  };
  return [...nodes].sort((a, b) => b.blocks - a.blocks || byUse(a, b) || compareNatural(a.name, b.name));
}

function nodeTable(ranked: NodeSummary[], colourOf: (n: string) => string, top: number): { parts: string[]; height: number } {
  const shown = ranked.slice(0, NODE_ROWS);
  const rest = ranked.slice(NODE_ROWS);
  const restLabel = `${rest.length} other nodes`;
  const nameW = Math.min(40, Math.max(10, restLabel.length, ...shown.map((n) => clip(n.name, 40).length))) * CHAR_PX + 28;
  const columns = [MARGIN + nameW, MARGIN + nameW + 70, MARGIN + nameW + 160];
  const parts = [
    text(MARGIN, top + 12, `Nodes (${ranked.length})`, `font-weight="bold"`),
    text(columns[0], top + 12, "blocks", `font-weight="bold"`),
    text(columns[1], top + 12, "in use", `font-weight="bold"`),
    text(columns[2], top + 12, "borrowed from other nodes' blocks", `font-weight="bold"`),
  ];
  let y = top + LINE_PX;
  for (const node of shown) {
    const fill = node.blocks > 0 ? colourOf(node.name) : "none";
    parts.push(
      `<g class="legend-row"><rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${fill}"/>` +
        text(MARGIN + 20, y + 12, clip(node.name, 40)) +
        text(columns[0], y + 12, String(node.blocks)) +
        text(columns[1], y + 12, thousands(node.ipsInUse)) +
        text(columns[2], y + 12, node.ipsBorrowed === "0" ? "" : thousands(node.ipsBorrowed)) +
        `</g>`,
    );
    y += LINE_PX;
  }
  if (rest.length > 0) {
    const blocks = rest.reduce((n, r) => n + r.blocks, 0);
    const inUse = rest.reduce((n, r) => n + BigInt(r.ipsInUse), 0n);
    parts.push(
      `<rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${OTHER_NODES}"/>`,
      text(MARGIN + 20, y + 12, restLabel),
      text(columns[0], y + 12, thousands(blocks)),
      text(columns[1], y + 12, thousands(inUse)),
    );
    y += LINE_PX;
  }
  return { parts, height: y - top + 8 };
}

function problemLine(p: CheckProblem): string {
  const where = [p.ip, p.block && `block ${p.block}`, p.node && `node ${p.node}`, p.pod && `pod ${p.pod}`, p.handle && `handle ${p.handle}`].filter(Boolean);
  return clip(`${p.kind}: ${where.join(", ")}${p.detail ? ` (${p.detail})` : ""}`, 140);
}

export function renderIpamSvg(state: IpamState, opts: SvgOptions = {}): RenderedSvg {
  const { ipam } = state;
  const warnings: string[] = [];
  // The busiest nodes get a colour of their own; the others share one, summed up in the node table.
  const ranked = rank(ipam.nodes);
  const holders = ranked.filter((n) => n.blocks > 0);
  const colours = new Map(holders.slice(0, PALETTE.length).map((n, i) => [n.name, PALETTE[i]]));
  const coloured = new Set(colours.keys());
  const colourOf = (node: string | null): string => (node === null ? NO_NODE : (colours.get(node) ?? OTHER_NODES));
  const leaks = new Map<string, number>();
  const dangling = new Set<string>();
  for (const p of state.check?.problems ?? []) {
    if (p.kind === "leaked-ip" && p.block) leaks.set(p.block, (leaks.get(p.block) ?? 0) + 1);
    if (p.kind === "dangling-affinity" && p.block) dangling.add(p.block);
  }
  const used = noMarks();
  const blocksDrawn = ipam.blocks.length;
  const rankIndex = new Map(ranked.map((n, i) => [n.name, i]));
  const ctx: PoolContext = {
    colourOf,
    isOther: (n) => n !== null && !coloured.has(n),
    rankOf: (n) => (n === null ? ranked.length : (rankIndex.get(n) ?? ranked.length)),
    leaks,
    dangling,
    tooltips: blocksDrawn <= TOOLTIP_LIMIT,
    used,
    warnings,
  };
  if (dangling.size > 0) used.dangling = true;

  const inUse = ipam.pools.reduce((n, p) => n + BigInt(p.ipsInUse), 0n);
  const total = ipam.pools.reduce((n, p) => n + BigInt(p.ipsTotal), 0n);
  const title = `Calico IPAM${opts.cluster ? ` of ${clip(opts.cluster, 60)}` : ""}${opts.at ? `, ${opts.at.toISOString().replace(/\.\d+Z$/, "Z")}` : ""}`;
  const subtitle =
    ipam.pools.length === 0
      ? "No IP pools."
      : `${ipam.pools.length} pool${ipam.pools.length === 1 ? "" : "s"}, ${thousands(blocksDrawn)} blocks claimed, ` +
        `${ipam.nodes.length} nodes; ${thousands(inUse)} of ${thousands(total)} addresses in use` +
        (state.check ? `; check: ${state.check.summary.problems} problem${state.check.summary.problems === 1 ? "" : "s"}` : "");
  const body: string[] = [text(MARGIN, MARGIN + 8, title, `class="title" font-size="16" font-weight="bold"`), text(MARGIN, MARGIN + 26, subtitle, `fill="#374151"`)];
  let y = MARGIN + 40;
  let width = Math.max(title.length * 9, subtitle.length * CHAR_PX);
  if (!ctx.tooltips) {
    body.push(text(MARGIN, y + 10, `(hover titles left out: ${thousands(blocksDrawn)} blocks; npm run ipam -- --show-blocks lists them)`, `font-size="10" fill="#6b7280"`));
    y += LINE_PX;
  }

  // Blocks go to the first pool of their pool's name, so two pools with one name never share blocks.
  const firstIndex = new Map<string, number>();
  ipam.pools.forEach((p, i) => firstIndex.set(p.name, firstIndex.get(p.name) ?? i));
  const byPool = ipam.pools.map((): typeof ipam.blocks => []);
  for (const b of ipam.blocks) {
    const i = b.pool === null ? undefined : firstIndex.get(b.pool);
    if (i !== undefined) byPool[i].push(b);
  }
  ipam.pools.forEach((pool, i) => {
    try {
      const drawn = drawPool(pool, byPool[i], y, ctx, i);
      body.push(...drawn.parts);
      y += drawn.height + 10;
      width = Math.max(width, drawn.width);
    } catch (err) {
      warnings.push(`pool ${pool.cidr} could not be drawn: ${(err as Error).message}`);
      body.push(text(MARGIN, y + 14, `IP pool ${pool.cidr}: could not be drawn (${clip((err as Error).message, 80)})`, `fill="${PROBLEM}"`));
      y += LINE_PX + 10;
    }
  });

  const nodes = nodeTable(ranked, (n) => colourOf(n), y);
  body.push(...nodes.parts);
  y += nodes.height;
  if (holders.length > coloured.size) used.others = true;

  if (ipam.orphanBlocks.length > 0) {
    body.push(text(MARGIN, y + 12, `Blocks outside every IP pool (${ipam.orphanBlocks.length})`, `font-weight="bold"`));
    y += LINE_PX;
    for (const block of ipam.orphanBlocks.slice(0, ORPHAN_ROWS)) {
      if (block.node === null) used.noNode = true;
      body.push(
        `<g class="block orphan"><rect x="${MARGIN}" y="${y + 2}" width="12" height="12" fill="${colourOf(block.node)}"/>` +
          text(MARGIN + 20, y + 12, clip(`${block.cidr} · ${block.node ?? "no node"} · ${block.ipsInUse} of ${block.ipsTotal} in use`, 120)) +
          `</g>`,
      );
      y += LINE_PX;
    }
    if (ipam.orphanBlocks.length > ORPHAN_ROWS) {
      body.push(text(MARGIN + 20, y + 12, `and ${ipam.orphanBlocks.length - ORPHAN_ROWS} more`));
      y += LINE_PX;
    }
  }

  if (state.check && state.check.problems.length > 0) {
    const problems = state.check.problems;
    body.push(text(MARGIN, y + 12, `What npm run ipam -- check found (${problems.length})`, `font-weight="bold" fill="${PROBLEM}"`));
    y += LINE_PX;
    for (const p of problems.slice(0, PROBLEM_ROWS)) {
      const line = problemLine(p);
      body.push(text(MARGIN + 20, y + 12, line));
      width = Math.max(width, line.length * CHAR_PX);
      y += LINE_PX;
    }
    if (problems.length > PROBLEM_ROWS) {
      body.push(text(MARGIN + 20, y + 12, `and ${problems.length - PROBLEM_ROWS} more`));
      y += LINE_PX;
    }
  }

  y += 8;
  const key = legend(used, coloured.size, y);
  body.push(`<g class="legend">`, ...key.parts, `</g>`);
  y += key.height;
  width = Math.max(width, 640);

  const totalW = Math.ceil(width + 2 * MARGIN);
  const totalH = Math.ceil(y + MARGIN);
  const svg = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...body,
    `</svg>`,
    ``,
  ].join("\n");
  return { svg, warnings };
}
