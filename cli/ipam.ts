// `npm run ipam -- [--kubeconfig FILE] [--show-blocks] [--json] [--svg FILE]`: the live IPAM report,
// read by the same function as the stack outputs. Every failure is one line on stderr and exit 1.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { KubeReadError } from "../lib/core/kube";
import { readIpamState } from "../lib/ipam/reader";
import { renderIpamSvg } from "../lib/ipam/svg";
import { renderIpamTable } from "../lib/ipam/table";

export const USAGE = "usage: npm run ipam -- [--kubeconfig FILE] [--show-blocks] [--json] [--svg FILE]";

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** The current stack's `kubeconfig` output; rejects with a one-line reason when there is none. */
  getStackKubeconfig?: () => Promise<string>;
}

class CliError extends Error {}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}

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
          const why = firstLine(String(stderr)) || firstLine(error.message);
          return reject(new Error(`\`pulumi stack output kubeconfig\` failed (${why})`));
        }
        const text = String(stdout).trim();
        if (!text) return reject(new Error("the current stack has no kubeconfig output yet"));
        resolve(`${text}\n`);
      },
    );
  });
}

function readKubeconfigFile(file: string, origin: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (code ?? "unreadable");
    throw new CliError(`cannot read the kubeconfig ${file} (${origin}): ${why}`);
  }
}

async function resolveKubeconfig(flag: string | undefined, io: CliIo): Promise<string> {
  if (flag) return readKubeconfigFile(flag, "--kubeconfig");
  let stackProblem: string;
  try {
    return await (io.getStackKubeconfig ?? pulumiStackKubeconfig)();
  } catch (err) {
    stackProblem = firstLine(err instanceof Error ? err.message : String(err));
  }
  // $KUBECONFIG may list several files; the first one holds the current context in the common case.
  const fromEnv = (io.env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p !== "");
  if (fromEnv) return readKubeconfigFile(fromEnv, "$KUBECONFIG");
  throw new CliError(
    `no kubeconfig: no stack output (${stackProblem}) and $KUBECONFIG is not set; ` +
      "run `pulumi up` in this project first, or pass --kubeconfig FILE",
  );
}

export async function runIpamCli(argv: string[], io: CliIo): Promise<number> {
  let values: { kubeconfig?: string; "show-blocks"?: boolean; json?: boolean; svg?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: "string" },
        "show-blocks": { type: "boolean" },
        json: { type: "boolean" },
        svg: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.err(`error: ${firstLine(err instanceof Error ? err.message : String(err))}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }

  try {
    const kubeconfig = await resolveKubeconfig(values.kubeconfig, io);
    const state = await readIpamState(kubeconfig);
    if (values.json) {
      io.out(`${JSON.stringify({ ...state.ipam, blockAffinities: state.blockAffinities }, null, 2)}\n`);
    } else {
      io.out(renderIpamTable(state.ipam, { showBlocks: values["show-blocks"] }));
    }
    if (values.svg) {
      try {
        fs.writeFileSync(values.svg, renderIpamSvg(state));
      } catch (err) {
        throw new CliError(`cannot write ${values.svg}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      // stderr, so `--json --svg FILE` still prints only JSON on stdout.
      io.err(`wrote the IPAM map to ${values.svg}\n`);
    }
    return 0;
  } catch (err) {
    const message = err instanceof CliError || err instanceof KubeReadError ? err.message : `unexpected failure: ${String(err)}`;
    io.err(`error: ${firstLine(message)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runIpamCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
