// The code's shape, as README's "How the code is laid out" draws it: lib/ by stage along the data
// path (core -> config -> host -> cluster -> calico -> ipam), each stage importing only from earlier
// ones, components using the lib of their own stage or earlier, and no import circle anywhere.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");
const STAGES = ["core", "config", "host", "cluster", "calico", "ipam"] as const;
/** components/<file> -> the stage it belongs to; transport is plumbing below every stage. */
const COMPONENT_STAGE: Record<string, number> = { transport: 0, host: 2, cluster: 3, calico: 4, "cluster-timings": 4, ipam: 5, experiments: 5 };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return entry.name.endsWith(".ts") ? [rel] : [];
  });
}

/** Every program file (not tests) and the program files it imports, resolved to paths from the root. */
function importGraph(): Map<string, string[]> {
  const files = [...sourceFiles("lib"), ...sourceFiles("components"), ...sourceFiles("cli"), "lab.ts", "index.ts"];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => {
        const base = path.normalize(path.join(path.dirname(file), spec));
        return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => files.includes(candidate)) ?? `${base} (unresolved)`;
      });
    graph.set(file, targets);
  }
  return graph;
}

function stageOf(file: string): number | undefined {
  const [top, folder] = file.split(path.sep);
  if (top === "lib") return STAGES.indexOf(folder as (typeof STAGES)[number]);
  if (top === "components") return COMPONENT_STAGE[path.basename(file, ".ts")];
  return undefined;
}

function backwardImports(graph: Map<string, string[]>): string[] {
  const backwards: string[] = [];
  for (const [file, targets] of graph) {
    const from = stageOf(file);
    if (from === undefined) continue;
    for (const target of targets) {
      if (!target.startsWith(`lib${path.sep}`) && !target.startsWith(`components${path.sep}`)) {
        backwards.push(`${file} -> ${target} (lib and components never import the composition or the CLIs)`);
        continue;
      }
      const to = stageOf(target);
      if (to !== undefined && to > from) backwards.push(`${file} (${STAGES[from]}) -> ${target} (${STAGES[to]})`);
    }
  }
  return backwards;
}

function circlesIn(graph: Map<string, string[]>): string[] {
  const circles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      circles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
      return;
    }
    state.set(file, "open");
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  return circles;
}

describe("code layout", () => {
  const graph = importGraph();

  it("resolves every relative import to a program file", () => {
    const unresolved = [...graph].flatMap(([file, targets]) => targets.filter((t) => t.endsWith("(unresolved)")).map((t) => `${file} -> ${t}`));
    assert.ok(graph.size > 20, `only ${graph.size} files found`);
    assert.deepEqual(unresolved, []);
  });

  it("keeps lib/ in its stage folders", () => {
    const loose = [...graph.keys()].filter((f) => f.startsWith(`lib${path.sep}`) && stageOf(f) === -1);
    assert.deepEqual(loose, [], "every lib file lives in one of lib/{core,config,host,cluster,calico,ipam}");
  });

  it("lets each stage import only from itself and earlier stages", () => {
    assert.deepEqual(backwardImports(graph), []);
  });

  it("has no import circle", () => {
    assert.deepEqual(circlesIn(graph), []);
  });

  it("reports a circle and a backwards import when a graph has them", () => {
    const config = path.join("lib", "config", "index.ts");
    const plan = path.join("lib", "ipam", "plan.ts");
    const bad = new Map([[config, [plan]], [plan, [config]]]);
    assert.deepEqual(circlesIn(bad), [`${config} -> ${plan} -> ${config}`]);
    assert.deepEqual(backwardImports(bad), [`${config} (config) -> ${plan} (ipam)`]);
  });
});
