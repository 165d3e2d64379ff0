// Runs the real shellcheck over the scripts the program sends, and points each finding back at the
// file a person edits: the scripts are composed from manifests/scripts/*.sh, so "line 40 of the
// deploy command" is reported as "manifests/scripts/deploy-cluster.sh:3" as well.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { Script } from "./lab-artifacts";

const SCRIPTS_DIR = path.resolve(__dirname, "../../../manifests/scripts");

export interface Finding {
  script: string;
  line: number;
  column: number;
  level: string;
  code: string;
  message: string;
  /** `manifests/scripts/<file>:<line>` when the line comes from one of those files. */
  source?: string;
}

/** Where each manifests/scripts file starts inside `text` (0-based line), when it is there. */
function sourceStarts(text: string): { file: string; start: number; lines: number }[] {
  return fs
    .readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith(".sh"))
    .flatMap((file) => {
      const body = fs.readFileSync(path.join(SCRIPTS_DIR, file), "utf8").trimEnd();
      const at = text.indexOf(body);
      if (at < 0) return [];
      return [{ file, start: text.slice(0, at).split("\n").length - 1, lines: body.split("\n").length }];
    });
}

function sourceOf(text: string, line: number): string | undefined {
  const hit = sourceStarts(text).find((s) => line - 1 >= s.start && line - 1 < s.start + s.lines);
  return hit && `manifests/scripts/${hit.file}:${line - hit.start}`;
}

// shellcheck -f gcc: "<file>:<line>:<column>: <level>: <message> [SC<code>]"
const GCC_LINE = /^(.*):(\d+):(\d+): (\w+): (.*) \[(SC\d+)\]$/;

/** Every shellcheck finding (all severities, bash dialect) in the scripts. */
export function shellcheck(scripts: Script[]): Finding[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-shellcheck-"));
  try {
    const files = scripts.map((s, i) => {
      const file = path.join(dir, `${i}.sh`);
      fs.writeFileSync(file, s.text);
      return file;
    });
    const run = spawnSync("shellcheck", ["-s", "bash", "-f", "gcc", ...files], { encoding: "utf8" });
    if (run.error) throw run.error;
    // Exit 1 means findings; anything else (2 bad options, 3 unreadable file...) is shellcheck failing.
    if (run.status !== 0 && run.status !== 1) throw new Error(`shellcheck exited ${run.status}: ${run.stderr}`);
    return run.stdout
      .split("\n")
      .map((l) => GCC_LINE.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map(([, file, line, column, level, message, code]) => {
        const script = scripts[files.indexOf(file)];
        return {
          script: script.name, line: Number(line), column: Number(column), level, code, message,
          source: sourceOf(script.text, Number(line)),
        };
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function describeFinding(f: Finding): string {
  return `${f.script}:${f.line}:${f.column}${f.source ? ` (${f.source})` : ""}: ${f.level} ${f.code}: ${f.message}`;
}
