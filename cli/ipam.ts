// `npm run -s ipam -- [check] [options]`: the live IPAM report, read by the same function as the stack
// outputs. stdout carries only the report (calicoctl's text, JSON or the SVG), so it pipes; what was
// read, warnings and errors go to stderr, each one line. Exit 0, 1 on an error (or, for `check`,
// when it finds problems), 2 on a usage mistake. One exception, as calicoctl: `--ip` with something
// that is not an address prints calicoctl's own line on stdout (without --json), exit 1.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { KubeReadError, type KubeClients } from "../lib/core/kube";
import { analyseSnapshot, readIpamSnapshot, type ReadScope } from "../lib/ipam/reader";
import { lookupIp, renderBorrowed, renderConfiguration, renderUtilization } from "../lib/ipam/show";
import { renderIpamSvg } from "../lib/ipam/svg";
import { renderColumns } from "../lib/ipam/table";
import { resolveKubeconfig, CliError, firstLine, type KubeconfigSource, type StackLookups } from "./kubeconfig-source";

export const USAGE = `usage: npm run -s ipam -- [check] [options]

  npm run -s ipam                       the pools, as \`calicoctl ipam show\` prints them
  npm run -s ipam -- check              leaked addresses, missing handles, dangling affinities (\`calicoctl ipam check\`)

which cluster (default: the stack's kubeconfig output, else the stack's calico-ipam:kubeconfigPath or
calico-ipam:kubeconfig; when the stack names none, $KUBECONFIG, then ~/.kube/config):
  --kubeconfig FILE       read this kubeconfig
  --context NAME          use this context instead of the kubeconfig's current-context

what to show (one at a time, as calicoctl):
  --show-blocks           a row per block under its pool
  --show-borrowed         addresses a node's pods hold in another node's block
  --show-configuration    the cluster's IPAM configuration
  --ip ADDR               whether ADDR is in use, and by which pod
  --show-affinities       which node holds which block (kubectl get blockaffinities)

output:
  --json                  JSON instead of text: the \`ipam\` stack output plus blockAffinities
                          (with check: the problems; with --ip: the address); counts are decimal strings
  --svg FILE              also draw the pools as an SVG picture; FILE - writes it to stdout instead
  -h, --help              this text

\`npm run -s\` keeps npm's own banner off stdout, so the output pipes (e.g. into jq).`;

export interface CliIo extends StackLookups {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** How long the read may stay silent before stderr says it is still waiting (ms). */
  patienceMs?: number;
  /** Per-request timeout (ms); KUBE_READ_LIMITS.requestTimeoutMs unless a test shortens it. */
  timeoutMs?: number;
}

const OPTIONS = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "show-blocks": { type: "boolean" },
  "show-borrowed": { type: "boolean" },
  "show-configuration": { type: "boolean" },
  "show-affinities": { type: "boolean" },
  ip: { type: "string" },
  json: { type: "boolean" },
  svg: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };

class UsageError extends Error {}

function parse(argv: string[]): { values: Values; check: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(firstLine(err instanceof Error ? err.message : String(err)).split(/\. /)[0]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== "check")) {
    throw new UsageError(`unknown command ${JSON.stringify(positionals.join(" ").slice(0, 60))}: the only command is check`);
  }
  const check = positionals[0] === "check";
  const views = (["show-blocks", "show-borrowed", "show-configuration", "show-affinities", "ip"] as const).filter((k) => values[k] !== undefined);
  if (views.length > 1) throw new UsageError(`choose one of --${views.join(", --")}, as with calicoctl`);
  if (check && views.length > 0) throw new UsageError(`check takes no --${views[0]}`);
  if (values.json && (values["show-borrowed"] || values["show-configuration"])) {
    throw new UsageError(`--json has no form for --${values["show-borrowed"] ? "show-borrowed" : "show-configuration"}: use --json alone for the whole state`);
  }
  if (values.svg === "-" && (values.json || check)) throw new UsageError("--svg - writes the picture to stdout, so it cannot be combined with --json or check");
  return { values: values as Values, check };
}

/** "cannot write ipam.svg: the folder /x does not exist" */
function writeProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const dir = path.dirname(path.resolve(file));
  const why =
    code === "ENOENT" ? `the folder ${dir} does not exist`
    : code === "EACCES" || code === "EPERM" ? "permission denied"
    : code === "EISDIR" ? "it is a folder"
    : code === "ENOSPC" ? "the disk is full"
    : code === "EROFS" ? "the file system is read-only"
    : (code ?? firstLine(String(err)));
  return `cannot write ${file}: ${why}`;
}

function describeSource(clients: KubeClients, source: KubeconfigSource): string {
  return `reading ${clients.server} (context ${JSON.stringify(clients.context)}, kubeconfig from ${source.origin})\n`;
}

export async function runIpamCli(argv: string[], io: CliIo): Promise<number> {
  let values: Values;
  let check: boolean;
  try {
    ({ values, check } = parse(argv));
  } catch (err) {
    io.err(`error: ${(err as Error).message}\n${USAGE.split("\n")[0]} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }

  const scope: ReadScope = check || values.json || values.svg !== undefined ? "all" : "show";
  let waiting: NodeJS.Timeout | undefined;
  let origin: string | undefined;
  try {
    const source = await resolveKubeconfig(values.kubeconfig, io);
    if (source.note) io.err(`${source.note}\n`);
    origin = source.origin;
    const snapshot = await readIpamSnapshot(source.text, {
      scope,
      context: values.context,
      timeoutMs: io.timeoutMs,
      onConnect: (clients) => {
        origin = undefined;
        io.err(describeSource(clients, source));
        waiting = setTimeout(() => {
          io.err(`still waiting for ${clients.server}; giving up after ${clients.timeoutMs / 1000}s without an answer\n`);
        }, io.patienceMs ?? 5000);
      },
    });
    clearTimeout(waiting);
    if (check) {
      const missing = ["pods", "ipamhandles"].map((k) => snapshot.unreadable?.[k]).find((why) => why !== undefined);
      if (missing) throw new CliError(`cannot check: ${missing}`);
    }
    const { checked, state, check: checkRun } = analyseSnapshot(snapshot);
    for (const warning of state.warnings) io.err(`warning: ${firstLine(warning)}\n`);

    let code = 0;
    if (check) {
      const run = checkRun as NonNullable<typeof checkRun>;
      io.out(values.json ? `${JSON.stringify(run.report, null, 2)}\n` : run.text);
      code = run.report.summary.problems > 0 ? 1 : 0;
    } else if (values.ip !== undefined) {
      const found = lookupIp(values.ip, checked);
      if (!found && !values.json) {
        // calicoctl v3.30.7 argutils/validate.go ValidateIP: fmt.Printf (stdout), then os.Exit(1).
        io.out(`Error executing command: invalid IP address specified: ${values.ip}\n`);
        return 1;
      }
      if (!found) throw new CliError(`invalid IP address specified: ${JSON.stringify(values.ip.slice(0, 60))}`);
      const { text, ...data } = found;
      io.out(values.json ? `${JSON.stringify(data, null, 2)}\n` : text);
    } else if (values.json) {
      io.out(`${JSON.stringify({ ...state.ipam, blockAffinities: state.blockAffinities }, null, 2)}\n`);
    } else if (values.svg === "-") {
      // stdout is the picture.
    } else if (values["show-borrowed"]) {
      const borrowed = renderBorrowed(checked);
      for (const warning of borrowed.warnings) io.err(`warning: ${warning}\n`);
      io.out(borrowed.text);
    } else if (values["show-configuration"]) {
      if (snapshot.unreadable?.ipamconfigs) throw new CliError(snapshot.unreadable.ipamconfigs);
      io.out(renderConfiguration(snapshot.ipamconfig));
    } else if (values["show-affinities"]) {
      io.out(renderColumns(["NAME", "NODE", "CIDR", "STATE"], state.blockAffinities.map((a) => [a.name, a.node, a.cidr, a.state])));
    } else {
      io.out(renderUtilization(checked, values["show-blocks"] === true));
    }

    if (values.svg !== undefined) {
      const drawn = renderIpamSvg(state, { cluster: source.origin, at: new Date() });
      for (const warning of drawn.warnings) io.err(`warning: ${warning}\n`);
      if (values.svg === "-") {
        io.out(drawn.svg);
      } else {
        try {
          fs.writeFileSync(values.svg, drawn.svg);
        } catch (err) {
          throw new CliError(writeProblem(values.svg, err));
        }
        io.err(`wrote the IPAM map to ${values.svg}\n`);
      }
    }
    return code;
  } catch (err) {
    // A kubeconfig that cannot be used fails before "reading ..." was said: name where it came from.
    const from = err instanceof KubeReadError && origin !== undefined ? `${origin}: ` : "";
    const message = err instanceof CliError || err instanceof KubeReadError ? err.message : `unexpected failure: ${String(err)}`;
    io.err(`error: ${from}${firstLine(message)}\n`);
    return 1;
  } finally {
    clearTimeout(waiting);
  }
}

if (require.main === module) {
  // `| head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  void runIpamCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
