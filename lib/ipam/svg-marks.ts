// The marks of the IPAM picture and how each is drawn: one colour per busiest node (the rest share
// one), a block's share in use, borrowed and leaked addresses, dangling affinities. Shared by the
// grid, the per-node rows and the legend, so the legend always shows exactly what the picture uses.

export const MARGIN = 24;
export const CHAR_PX = 7;
export const LINE_PX = 18;
/** The busiest nodes get a colour of their own; red (problems) and grey (unclaimed) are kept out. */
export const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];
export const OTHER_NODES = "#94a3b8";
export const NO_NODE = "#1f2937";
export const UNCLAIMED = "#eef0f3";
export const PROBLEM = "#d62728";
export const BORROWED = "#111827";
/** Small cells show the share in use as one of these opacities instead of a bar. */
export const SHADES = [0.3, 0.55, 0.8, 1] as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** Text cut to `max` characters, control characters dropped: names can be anything. */
export function clip(text: string, max = 48): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${round(x)}" y="${round(y)}"${attrs ? ` ${attrs}` : ""}>${escapeXml(content)}</text>`;
}

export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** 65536 -> "65,536"; exact for any decimal string. */
export function thousands(count: string | bigint | number): string {
  const s = String(count);
  const negative = s.startsWith("-");
  const digits = negative ? s.slice(1) : s;
  return (negative ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "2^66" when a count is a power of two past a million, to say how large a pool is at a glance. */
export function powerOfTwo(count: bigint): string | undefined {
  if (count < 1n << 20n || (count & (count - 1n)) !== 0n) return undefined;
  return `2^${count.toString(2).length - 1}`;
}

/** The share of a block in use, 0..1 (corrupt blocks clamp). */
export function share(inUse: string, total: string): number {
  const t = Number(total);
  return t > 0 ? Math.max(0, Math.min(1, Number(inUse) / t)) : 0;
}

export function shadeOf(fraction: number): number {
  return SHADES[Math.min(SHADES.length - 1, Math.floor(fraction * SHADES.length))];
}

/** Which marks the picture used, so the legend explains exactly those. */
export interface MarksUsed {
  bars: boolean;
  shades: boolean;
  noNode: boolean;
  others: boolean;
  borrowed: boolean;
  leaked: boolean;
  dangling: boolean;
  disabled: boolean;
}

export function noMarks(): MarksUsed {
  return { bars: false, shades: false, noNode: false, others: false, borrowed: false, leaked: false, dangling: false, disabled: false };
}

/** The legend: a swatch and a sentence per mark used, in a fixed order. */
export function legend(used: MarksUsed, colouredNodes: number, top: number): { parts: string[]; height: number } {
  const rows: [string, string][] = [];
  const swatch = (fill: string, extra = ""): string => `<rect width="14" height="14" fill="${fill}"${extra}/>`;
  if (colouredNodes > 0) rows.push([swatch(PALETTE[0]), `a block claimed by a node: one colour per node, as in the node table (${colouredNodes} coloured)`]);
  if (used.others) rows.push([swatch(OTHER_NODES), "a block claimed by one of the other nodes (the node table sums them up)"]);
  if (used.noNode) rows.push([swatch(NO_NODE), "a block held by no node (its affinity was released; pods may still use it)"]);
  rows.push([swatch(UNCLAIMED, ` stroke="#c8ccd2"`), "a block no node has claimed yet"]);
  if (used.bars) {
    rows.push([`${swatch(PALETTE[0], ` fill-opacity="0.3"`)}<rect y="7" width="14" height="7" fill="${PALETTE[0]}"/>`, "the filled part of a block: the share of its addresses in use"]);
  }
  if (used.shades) {
    const shades = SHADES.map((o, i) => `<rect x="${i * 4}" width="4" height="14" fill="${PALETTE[0]}" fill-opacity="${o}"/>`).join("");
    rows.push([shades, "small blocks: the darker, the more of its addresses are in use (quarters)"]);
  }
  if (used.borrowed) rows.push([`${swatch(PALETTE[0], ` fill-opacity="0.3"`)}<path d="M8 0h6v6z" fill="${BORROWED}"/>`, "corner triangle: some addresses are used by another node's pods (borrowed)"]);
  if (used.leaked) rows.push([`${swatch(PALETTE[0], ` fill-opacity="0.3"`)}<circle cx="4" cy="4" r="3" fill="${PROBLEM}"/>`, "red dot: leaked addresses (allocated, but no pod or node uses them; see npm run ipam -- check)"]);
  if (used.dangling) rows.push([swatch("none", ` stroke="${PROBLEM}" stroke-width="2" stroke-dasharray="3 2"`), "dashed red outline: a BlockAffinity that dangles (block missing, node gone, or the block names another node)"]);
  if (used.disabled) rows.push([swatch(UNCLAIMED, ` stroke="#6b7280" stroke-dasharray="4 3"`), "dashed grey frame: a disabled pool (no new blocks are claimed from it)"]);
  const parts = [text(MARGIN, top + 12, "Legend", `font-weight="bold"`)];
  rows.forEach(([mark, words], i) => {
    const y = top + LINE_PX + i * LINE_PX;
    parts.push(`<g transform="translate(${MARGIN} ${y})">${mark}</g>`, text(MARGIN + 24, y + 11, words));
  });
  return { parts, height: LINE_PX * (rows.length + 1) + 8 };
}
