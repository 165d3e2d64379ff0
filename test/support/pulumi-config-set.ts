// `pulumi config set [--path]` as the Pulumi CLI stores it, so tests that replay what the README tells
// users to type see the stack config the real CLI would leave. Read from pulumi/pulumi at v3.260.0-dev
// (1b5949891b, the newest snapshot; sdk/go/common/resource/config unchanged since v3.259.0):
// - pkg/cmd/pulumi/config/config.go (configSetCmd.Run): the value is NewTypedValue(text, TypeUnknown).
// - map.go (Map.Set): without --path, or with a one-segment path, the key gets the text as it is, a plain
//   string even when it reads as JSON. With a longer path: the value is coerced (value.go coerceObject,
//   object.go coerce: "true"/"false" to booleans, base-10 digits not starting with 0 to numbers), the
//   key's current value is read (value.go unmarshalObject: a plain string stays a string, never parsed),
//   or, when absent, a new container is made from the next segment (object.go newContainer: an index n
//   makes a list of n+1 nulls).
// - object.go ((*object).Set): a list or map is edited in place; a string (or other scalar) at the first
//   level is thrown away for a new container ("COMPAT: If this is the first level, we create a new
//   container and overwrite the old value"), deeper it is an error; a list index may be at most its
//   length (== length appends), else "array index out of range".
// - resource/properties_path.go (parsePropertyPath): `name`, `.name`, `[n]` and `["quoted"]` segments.
import type { RawConfig } from "../../lib/config";

type Segment = string | number;
type Stored = null | boolean | number | string | Stored[] | { [key: string]: Stored };

/** The stack config as the CLI holds it: each key's text, and whether that text is an object (JSON). */
export interface CliConfig {
  values: RawConfig;
  /** Keys whose value the CLI stores as an object (made by a --path set); all others are plain strings. */
  objects: Set<string>;
}

export function parseConfigPath(text: string): Segment[] {
  const segments: Segment[] = [];
  const pattern = /\.?([^.[\]"]+)|\["((?:[^"\\]|\\")*)"\]|\[(\d+)\]/gy;
  let end = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    segments.push(m[3] !== undefined ? Number(m[3]) : m[2] !== undefined ? m[2].replace(/\\"/g, '"') : m[1]);
    end = pattern.lastIndex;
  }
  if (text.startsWith(".") || end !== text.length || segments.length === 0 || typeof segments[0] !== "string") {
    throw new Error(`invalid configuration key path: ${text}`);
  }
  return segments;
}

function coerce(text: string): Stored {
  if (text === "true" || text === "false") return text === "true";
  // "0123" stays text; otherwise strconv.ParseInt/ParseUint decide (an optional sign, base-10 digits).
  if ((text.length > 1 && text.startsWith("0")) || !/^[+-]?\d+$/.test(text)) return text;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${text}: the CLI would store a 64-bit integer this model cannot hold exactly`);
  return n;
}

type Container = Stored[] | { [key: string]: Stored };
const newContainer = (segment: Segment): Container => (typeof segment === "number" ? Array.from({ length: segment + 1 }, (): Stored => null) : {});

function showPath(path: Segment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** (*object).Set: `current` is the value at `prefix`; returns the new value there. */
function setAt(current: Stored, prefix: Segment[], path: Segment[], value: Stored): Stored {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (current !== null && typeof current !== "object" && prefix.length !== 1) {
    throw new Error(`${showPath(prefix)}: expected ${typeof head === "number" ? "an array" : "a map"}`);
  }
  const container = current !== null && typeof current === "object" ? current : newContainer(head);
  const here = [...prefix, head];
  if (Array.isArray(container)) {
    if (typeof head !== "number") throw new Error(`${showPath(here)}: key for an array must be an int`);
    if (head < 0 || head > container.length) throw new Error(`${showPath(here)}: array index out of range`);
    const list = [...container];
    list[head] = setAt(head < list.length ? list[head] : null, here, rest, value);
    return list;
  }
  if (typeof head !== "string") throw new Error(`${showPath(here)}: key for a map must be a string`);
  return { ...container, [head]: setAt(container[head] ?? null, here, rest, value) };
}

/** `pulumi config set [--path] <key> <text>`, on a copy. `key` is without the project namespace. */
export function configSet(config: CliConfig, key: string, text: string, byPath: boolean): CliConfig {
  const values = { ...config.values };
  const objects = new Set(config.objects);
  const path = byPath ? parseConfigPath(key) : [key];
  const root = path[0] as string;
  if (path.length === 1) {
    values[root] = text;
    objects.delete(root);
    return { values, objects };
  }
  const existing = values[root];
  const current: Stored = existing === undefined ? newContainer(path[1]) : objects.has(root) ? (JSON.parse(existing) as Stored) : existing;
  values[root] = JSON.stringify(setAt(current, [root], path.slice(1), coerce(text)));
  objects.add(root);
  return { values, objects };
}

/** `pulumi config rm <key>` (without --path). */
export function configRm(config: CliConfig, key: string): CliConfig {
  const values = { ...config.values };
  delete values[key];
  const objects = new Set(config.objects);
  objects.delete(key);
  return { values, objects };
}
