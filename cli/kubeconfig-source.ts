// Which kubeconfig `npm run ipam` reads, first found wins: --kubeconfig; the stack's `kubeconfig` output
// (targets aws and local); the stack's own calico-ipam:kubeconfigPath or calico-ipam:kubeconfig (target
// existing, whose stack does not export the user's kubeconfig); then, when the stack names none,
// $KUBECONFIG and ~/.kube/config. The choice is always said on stderr, and a stack that exists but
// cannot be read is an error, never a silent switch to another cluster.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_NAMESPACE, expandHome } from "../lib/config";

export class CliError extends Error {}

const PROJECT_DIR = path.join(__dirname, "..");

export interface KubeconfigSource {
  text: string;
  /** Where it came from, for "reading ... (kubeconfig from <origin>)". */
  origin: string;
  /** A line to print before reading (e.g. why $KUBECONFIG is used). */
  note?: string;
}

/** How the CLI asks the current stack; tests hand in their own. */
export interface StackLookups {
  /** The stack's `kubeconfig` output; rejects with a one-line reason when there is none. */
  getStackKubeconfig?: () => Promise<string>;
  /** A stack config value (`calico-ipam:<key>`), undefined when the stack does not set it. */
  getStackConfig?: (key: string) => Promise<string | undefined>;
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

/** Failures that mean "no lab deployed from this folder yet": there is no stack to ask anything else. */
const NO_STACK = /no stack named|no pulumi CLI on PATH|no stack selected/i;
/** The stack exists but exports no kubeconfig (target existing, or before its first up). */
const NO_OUTPUT = /does not have output property|has no kubeconfig output/i;
/** `pulumi config get` of a key the stack does not set (pkg/cmd/pulumi/config/config.go). */
const NO_CONFIG = /configuration key '.*' not found for stack/i;

/**
 * Runs `pulumi <args>` through scripts/pulumi.sh, so the lookup uses the same CLI, state store and
 * stack as `npm run up`. Rejects with `pulumi <what>` and the line of its output that says why.
 */
function askPulumi(args: string[]): Promise<string> {
  const what = `\`pulumi ${args.filter((a) => !a.startsWith("--")).join(" ")}\``;
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [path.join(PROJECT_DIR, "scripts", "pulumi.sh"), ...args],
      { cwd: PROJECT_DIR, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") return reject(new Error("bash is not on PATH, so scripts/pulumi.sh cannot run"));
          if (error.killed) return reject(new Error(`${what} gave no answer within 120s`));
          return reject(new Error(`${what} failed (${causeLine(String(stderr)) || firstLine(error.message)})`));
        }
        resolve(String(stdout));
      },
    );
  });
}

export async function pulumiStackKubeconfig(): Promise<string> {
  const text = (await askPulumi(["stack", "output", "kubeconfig", "--show-secrets"])).trim();
  if (!text) throw new Error("the stack has no kubeconfig output yet");
  return `${text}\n`;
}

export async function pulumiStackConfig(key: string): Promise<string | undefined> {
  try {
    // A secret (calico-ipam:kubeconfig) is printed decrypted, as `stack output --show-secrets` does.
    const value = await askPulumi(["config", "get", `${CONFIG_NAMESPACE}:${key}`]);
    return value.replace(/\n$/, "") || undefined;
  } catch (err) {
    if (NO_CONFIG.test((err as Error).message)) return undefined;
    throw err;
  }
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

/** The kubeconfig the stack itself was given (target existing), or undefined when it names none. */
async function stackOwnKubeconfig(io: StackLookups, home: string | undefined): Promise<KubeconfigSource | undefined> {
  const config = io.getStackConfig ?? pulumiStackConfig;
  let file: string | undefined;
  let text: string | undefined;
  try {
    file = await config("kubeconfigPath");
    text = file === undefined ? await config("kubeconfig") : undefined;
  } catch (err) {
    throw new CliError(`cannot read the stack's config: ${firstLine((err as Error).message)}; fix that, or pass --kubeconfig FILE`);
  }
  const note = "the stack has no kubeconfig output (target existing)";
  if (file !== undefined) {
    // As `pulumi up` reads it: ~ expanded, a relative path from the project folder (the program's own).
    const resolved = path.resolve(PROJECT_DIR, expandHome(file, home)!);
    const origin = `the stack's ${CONFIG_NAMESPACE}:kubeconfigPath ${resolved}`;
    return { text: readFile(resolved, origin), origin, note: `${note}: using its ${CONFIG_NAMESPACE}:kubeconfigPath` };
  }
  if (text !== undefined) return { text: `${text}\n`, origin: `the stack's ${CONFIG_NAMESPACE}:kubeconfig`, note: `${note}: using its ${CONFIG_NAMESPACE}:kubeconfig` };
  return undefined;
}

export async function resolveKubeconfig(
  flag: string | undefined,
  io: StackLookups & { env: Record<string, string | undefined> },
): Promise<KubeconfigSource> {
  if (flag) return { text: readFile(flag, "--kubeconfig"), origin: `--kubeconfig ${flag}` };
  let problem: string;
  try {
    return { text: await (io.getStackKubeconfig ?? pulumiStackKubeconfig)(), origin: "the stack's kubeconfig output" };
  } catch (err) {
    problem = firstLine(err instanceof Error ? err.message : String(err));
  }
  const home = io.env.HOME;
  if (NO_OUTPUT.test(problem)) {
    const own = await stackOwnKubeconfig(io, home);
    if (own) return own;
  } else if (!NO_STACK.test(problem)) {
    throw new CliError(`cannot read the stack's kubeconfig output: ${problem}; fix that, or pass --kubeconfig FILE`);
  }
  // $KUBECONFIG may list several files; kubectl reads the current context from the first that exists.
  const files = (io.env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
  const file = files.find((f) => fs.existsSync(f)) ?? files[0];
  if (file) return { text: readFile(file, "$KUBECONFIG"), origin: `$KUBECONFIG ${file}`, note: `no stack output (${problem}): using $KUBECONFIG` };
  const kubectlDefault = home ? path.join(home, ".kube", "config") : undefined;
  if (kubectlDefault && fs.existsSync(kubectlDefault)) {
    return { text: readFile(kubectlDefault, "~/.kube/config"), origin: `~/.kube/config ${kubectlDefault}`, note: `no stack output (${problem}) and no $KUBECONFIG: using ~/.kube/config` };
  }
  throw new CliError(
    `no kubeconfig: no stack output (${problem}), $KUBECONFIG is not set and there is no ~/.kube/config; ` +
      "run `npm run up` in this project first, or pass --kubeconfig FILE",
  );
}
