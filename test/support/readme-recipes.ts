// The README's "Experiments" recipes as stack config: every `config set` / `config rm` line of each
// recipe's bash blocks, applied the way the Pulumi CLI would (./pulumi-config-set.ts). Tests build the
// lab from exactly what the README tells users to type, so a recipe and the code cannot drift apart.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RawConfig } from "../../lib/config";
import { configRm, configSet, type CliConfig } from "./pulumi-config-set";

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

/**
 * Which keys of a config the harness handed out hold objects (JSON the CLI made with --path); a config
 * not made here (a test's own) holds only plain strings, as `config set` without --path leaves them.
 */
const objectKeys = new WeakMap<RawConfig, Set<string>>();

function asCli(config: RawConfig): CliConfig {
  return { values: config, objects: objectKeys.get(config) ?? new Set() };
}

function fromCli(cli: CliConfig): RawConfig {
  objectKeys.set(cli.values, cli.objects);
  return cli.values;
}

/** Applies the `config set`/`config rm` commands of one bash block. */
export function applyCommands(config: RawConfig, block: string): RawConfig {
  let next = asCli(config);
  for (const line of block.split("\n")) {
    const words = shellWords(line.replace(/\s+#.*$/, ""));
    const at = words.indexOf("config");
    if (words[0] !== "npm" || at < 0) continue;
    const [verb, ...args] = words.slice(at + 1);
    const byPath = args[0] === "--path";
    const [target, value] = byPath ? args.slice(1) : args;
    if (!target?.startsWith(NAMESPACE)) throw new Error(`README recipe line outside ${NAMESPACE}: ${line}`);
    const key = target.slice(NAMESPACE.length);
    if (verb === "rm" && !byPath && value === undefined) next = configRm(next, key);
    else if (verb === "set" && value !== undefined) next = configSet(next, key, value, byPath);
    else throw new Error(`README recipe line not understood: ${line}`);
  }
  return fromCli(next);
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
