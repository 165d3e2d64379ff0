// Which kubeconfig `npm run ipam` reads: --kubeconfig, else the stack's `kubeconfig` output, else
// (only when there is no stack or no such output yet) $KUBECONFIG. The choice is always said on stderr,
// and a stack that exists but cannot be read is an error, never a silent switch to another cluster.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export class CliError extends Error {}

export interface KubeconfigSource {
  text: string;
  /** Where it came from, for "reading ... (kubeconfig from <origin>)". */
  origin: string;
  /** A line to print before reading (e.g. why $KUBECONFIG is used). */
  note?: string;
}

export function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}

/** The line of a failed command's output that says why: its "error:" line, else its last line. */
export function causeLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return (lines.find((l) => /^error:/i.test(l)) ?? lines[lines.length - 1] ?? "").slice(0, 300);
}

/** Failures that mean "no lab deployed from this folder yet", where $KUBECONFIG is a fair fallback. */
const NO_STACK = /no stack named|does not have output property|has no kubeconfig output|no pulumi CLI on PATH|no stack selected/i;

/**
 * Asks Pulumi for the stack's kubeconfig output through scripts/pulumi.sh, so the lookup uses the
 * same CLI, state store and stack as `npm run up`.
 */
export function pulumiStackKubeconfig(): Promise<string> {
  const projectDir = path.join(__dirname, "..");
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [path.join(projectDir, "scripts", "pulumi.sh"), "stack", "output", "kubeconfig", "--show-secrets"],
      { cwd: projectDir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") return reject(new Error("bash is not on PATH, so scripts/pulumi.sh cannot run"));
          if (error.killed) return reject(new Error("`pulumi stack output kubeconfig` gave no answer within 120s"));
          return reject(new Error(`\`pulumi stack output kubeconfig\` failed (${causeLine(String(stderr)) || firstLine(error.message)})`));
        }
        const text = String(stdout).trim();
        if (!text) return reject(new Error("the stack has no kubeconfig output yet"));
        resolve(`${text}\n`);
      },
    );
  });
}

function readFile(file: string, origin: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a folder" : (code ?? "unreadable");
    throw new CliError(`cannot read the kubeconfig ${file} (${origin}): ${why}`);
  }
}

export async function resolveKubeconfig(
  flag: string | undefined,
  io: { env: Record<string, string | undefined>; getStackKubeconfig?: () => Promise<string> },
): Promise<KubeconfigSource> {
  if (flag) return { text: readFile(flag, "--kubeconfig"), origin: `--kubeconfig ${flag}` };
  let problem: string;
  try {
    return { text: await (io.getStackKubeconfig ?? pulumiStackKubeconfig)(), origin: "the stack's kubeconfig output" };
  } catch (err) {
    problem = firstLine(err instanceof Error ? err.message : String(err));
  }
  if (!NO_STACK.test(problem)) {
    throw new CliError(`cannot read the stack's kubeconfig output: ${problem}; fix that, or pass --kubeconfig FILE`);
  }
  // $KUBECONFIG may list several files; kubectl reads the current context from the first that exists.
  const files = (io.env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
  const file = files.find((f) => fs.existsSync(f)) ?? files[0];
  if (!file) {
    throw new CliError(`no kubeconfig: no stack output (${problem}) and $KUBECONFIG is not set; run \`npm run up\` in this project first, or pass --kubeconfig FILE`);
  }
  return { text: readFile(file, "$KUBECONFIG"), origin: `$KUBECONFIG ${file}`, note: `no stack output (${problem}): using $KUBECONFIG` };
}
