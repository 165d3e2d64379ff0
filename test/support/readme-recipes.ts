// The README's "Experiments" recipes as stack config: every `config set` / `config rm` line of each
// recipe's bash blocks, applied the way the Pulumi CLI would. Tests build the lab from exactly what the
// README tells users to type, so a recipe and the code cannot drift apart.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RawConfig } from "../../lib/config";

export interface Recipe {
  title: string;
  /** The recipe's bash blocks, in order; each ends in `npm run up`. */
  blocks: string[];
}

const README = path.join(__dirname, "..", "..", "README.md");
const NAMESPACE = "calico-ipam:";

/** Shell words of one command line: bare words and single-quoted strings (all the README uses). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) words.push(m[1] ?? m[2]);
  return words;
}

type PathStep = string | number;

function parsePath(text: string): PathStep[] {
  const steps: PathStep[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) steps.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return steps;
}

/** `pulumi config set --path key[0].field value`: the value lands as a string, as the CLI stores it. */
function setPath(config: RawConfig, keyPath: string, value: string): void {
  const [key, ...rest] = parsePath(keyPath) as [string, ...PathStep[]];
  if (rest.length === 0) {
    config[key] = value;
    return;
  }
  const root = config[key] === undefined ? (typeof rest[0] === "number" ? [] : {}) : JSON.parse(config[key] as string);
  let node = root as Record<string | number, unknown>;
  rest.forEach((step, i) => {
    if (i === rest.length - 1) node[step] = value;
    else node = (node[step] ??= typeof rest[i + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
  });
  config[key] = JSON.stringify(root);
}

/** Applies the `config set`/`config rm` commands of one bash block. */
export function applyCommands(config: RawConfig, block: string): RawConfig {
  const next = { ...config };
  for (const line of block.split("\n")) {
    const words = shellWords(line.replace(/\s+#.*$/, ""));
    const at = words.indexOf("config");
    if (words[0] !== "npm" || at < 0) continue;
    const [verb, ...args] = words.slice(at + 1);
    const byPath = args[0] === "--path";
    const [target, value] = byPath ? args.slice(1) : args;
    if (!target?.startsWith(NAMESPACE)) throw new Error(`README recipe line outside ${NAMESPACE}: ${line}`);
    const key = target.slice(NAMESPACE.length);
    if (verb === "rm") delete next[key];
    else if (verb === "set" && value !== undefined) setPath(next, key, value);
    else throw new Error(`README recipe line not understood: ${line}`);
  }
  return next;
}

/** The config after each block of a recipe, starting from `base`. */
export function recipeSteps(recipe: Recipe, base: RawConfig): RawConfig[] {
  let config = base;
  return recipe.blocks.map((block) => (config = applyCommands(config, block)));
}

/** Every recipe under "## Experiments" that has bash blocks. */
export function readmeRecipes(): Recipe[] {
  const text = fs.readFileSync(README, "utf8");
  const section = text.split(/^## /m).find((s) => s.startsWith("Experiments\n"));
  if (!section) throw new Error("README has no Experiments section");
  return section
    .split(/^### /m)
    .slice(1)
    .map((part) => {
      const title = part.split("\n", 1)[0].trim();
      const blocks = [...part.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
      return { title, blocks };
    })
    .filter((r) => r.blocks.length > 0);
}

/** The recipe whose title starts with `prefix` (e.g. "3."). */
export function recipe(recipes: Recipe[], prefix: string): Recipe {
  const found = recipes.find((r) => r.title.startsWith(prefix));
  if (!found) throw new Error(`README has no recipe starting "${prefix}"; it has ${recipes.map((r) => r.title).join(" | ")}`);
  return found;
}
