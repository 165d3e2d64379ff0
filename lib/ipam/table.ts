// The text calicoctl prints: its tables come from olekukonko/tablewriter v0.0.5 with default settings
// (calicoctl's go.mod pins it) and its numbers from Go's fmt. Rules carried over (facts, not code):
// - table.go:124 Render: top rule, header, rule, rows, bottom rule; with no rows the header is followed
//   by two rules (the header's and the bottom one).
// - util.go Title: header text upper-cased, "_" and non-numeric "." turned into spaces.
// - util.go Pad: headers centred, the odd space on the right.
// - table.go:39 and :752: a cell matching ^-?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$ is right-aligned, any other
//   left-aligned ("1.0486e+06" and "14 (0%)" are left-aligned). The percent pattern never matches.
// - table.go:904 parseDimension + wrap.go: cells wider than 30 columns wrap at spaces (minimal
//   raggedness); a word longer than that keeps its own line; the column takes the widest line.
// - table.go:720: the lines a shorter cell lacks are filled with two spaces, then padded.
// - go-runewidth: East Asian wide characters take two columns.

const MAX_CELL_WIDTH = 30;
const DECIMAL = /^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$/;

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\u0300-\u036f\u200b-\u200f]/u;

export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : ZERO_WIDTH.test(ch) ? 0 : 1;
  return width;
}

/** wrap.go WrapWords: split words into lines of at most `lim` columns with minimal raggedness. */
function wrapWords(words: string[], lim: number): string[][] {
  const n = words.length;
  const widths = words.map(displayWidth);
  const length = (i: number, j: number): number => {
    let sum = 0;
    for (let k = i; k <= j; k++) sum += widths[k] + (k > i ? 1 : 0);
    return sum;
  };
  const cost = new Array<number>(n).fill(2 ** 31 - 1);
  const next = new Array<number>(n).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    if (length(i, n - 1) <= lim) {
      cost[i] = 0;
      next[i] = n;
      continue;
    }
    for (let j = i + 1; j < n; j++) {
      const d = lim - length(i, j - 1);
      let c = d * d + cost[j];
      if (length(i, j - 1) > lim) c += 1e5;
      if (c < cost[i]) {
        cost[i] = c;
        next[i] = j;
      }
    }
  }
  const lines: string[][] = [];
  for (let i = 0; i < n; i = next[i]) lines.push(words.slice(i, next[i]));
  return lines;
}

/** table.go parseDimension: the lines of a cell and the width they need. */
function cellLines(text: string): { lines: string[]; width: number } {
  const simple = displayWidth(text);
  // One line that fits: wrapping would give it back unchanged.
  if (simple <= MAX_CELL_WIDTH && !text.includes("\n")) return { lines: [text], width: simple };
  const raw = text.split("\n");
  let width = Math.min(MAX_CELL_WIDTH, Math.max(...raw.map(displayWidth)));
  const words = raw.join(" ").replace(/\n/g, " ").split(" ");
  const lim = Math.max(width, ...words.map(displayWidth));
  const lines = wrapWords(words, lim).map((l) => l.join(" "));
  width = Math.max(width, ...lines.map(displayWidth));
  return { lines, width };
}

function title(name: string): string {
  const chars = [...name];
  const numOrSpace = (c: string | undefined): boolean => c !== undefined && /[0-9 ]/.test(c);
  const out = chars.map((c, i) => {
    if (c === "_") return " ";
    if (c === "." && ((i !== 0 && !numOrSpace(chars[i - 1])) || (i !== chars.length - 1 && !numOrSpace(chars[i + 1])))) return " ";
    return c;
  });
  const trimmed = out.join("").trim();
  return (trimmed === "" && name.length > 0 ? " " : trimmed).toUpperCase();
}

const padRight = (s: string, w: number): string => s + " ".repeat(Math.max(0, w - displayWidth(s)));
const padLeft = (s: string, w: number): string => " ".repeat(Math.max(0, w - displayWidth(s))) + s;
function padCenter(s: string, w: number): string {
  const gap = w - displayWidth(s);
  if (gap <= 0) return s;
  const left = Math.floor(gap / 2);
  return " ".repeat(left) + s + " ".repeat(gap - left);
}

/** A table exactly as tablewriter v0.0.5's defaults render it. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map(() => 0);
  const measure = (cells: string[]): string[][] =>
    cells.map((cell, i) => {
      const { lines, width } = cellLines(cell);
      widths[i] = Math.max(widths[i], width);
      return lines;
    });
  const head = measure(headers);
  const body = rows.map(measure);
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+\n`;
  let out = rule;
  const headHeight = Math.max(...head.map((l) => l.length));
  for (let x = 0; x < headHeight; x++) {
    out += `|${head.map((lines, i) => ` ${padCenter(title(lines[x] ?? ""), widths[i])} `).join("|")}|\n`;
  }
  out += rule;
  for (const row of body) {
    const height = Math.max(...row.map((l) => l.length));
    for (let x = 0; x < height; x++) {
      const cells = row.map((lines, i) => {
        const text = lines[x] ?? "  ";
        return ` ${DECIMAL.test(text.trim()) ? padLeft(text, widths[i]) : padRight(text, widths[i])} `;
      });
      out += `|${cells.join("|")}|\n`;
    }
  }
  return out + rule;
}

/** Go's %.5g for a float64: five significant digits, exponent form from 1e5 on, ties to even. */
export function formatG5(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const sign = value < 0 ? "-" : "";
  if (!Number.isInteger(value)) return sign + Number(Math.abs(value).toPrecision(5)).toString();
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

/** Go's %.f of a float64: nearest integer, exact halves to even, "-0" kept, +Inf/-Inf/NaN spelt as Go does. */
export function formatFixed0(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const negative = value < 0 || Object.is(value, -0);
  const a = Math.abs(value);
  const floor = Math.floor(a);
  const diff = a - floor;
  const rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return `${negative ? "-" : ""}${BigInt(rounded).toString()}`;
}

/** show.go:189: "%.5g (%.f%%)" of a part of a whole, computed as 100*part/whole in float64. */
export function usage(part: number, whole: number): string {
  return `${formatG5(part)} (${formatFixed0((100 * part) / whole)}%)`;
}

/** A kubectl-style listing: upper-case headers, columns three spaces apart, no box. */
export function renderColumns(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : padRight(c, widths[i]))).join("   ");
  return [headers, ...rows].map(line).join("\n") + "\n";
}
