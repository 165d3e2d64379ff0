// `npm run plan -- --cidr 192.168.0.0/16 --block-size 26 --nodes 3 [--pods-per-node 110] [--json]`
// Prints the Calico IP plan with no cloud and no cluster, for sizing a real cluster before building it.
import { parseArgs } from "node:util";
import { DEFAULTS, ENCAPSULATIONS } from "../lib/config";
import { BLOCK_SIZE_RANGE, parseCidr } from "../lib/core/cidr";
import { echo, formatPlan, KUBELET_DEFAULT_MAX_PODS, PLAN_LIMITS, planIp, PlanError, type PlanField } from "../lib/ipam/plan";

const USAGE = [
  "usage: npm run plan -- [--cidr CIDR] [--block-size N] [--nodes N] [--pods-per-node N] [--encapsulation MODE] [--json]",
  `  --cidr           the IP pool (default ${DEFAULTS.podCidr}; IPv6 pools work too)`,
  `  --block-size     Calico block size: ${BLOCK_SIZE_RANGE.IPv4.min}-${BLOCK_SIZE_RANGE.IPv4.max} for IPv4 (default ` +
    `${BLOCK_SIZE_RANGE.IPv4.calicoDefault}), ${BLOCK_SIZE_RANGE.IPv6.min}-${BLOCK_SIZE_RANGE.IPv6.max} for IPv6 ` +
    `(default ${BLOCK_SIZE_RANGE.IPv6.calicoDefault})`,
  `  --nodes          nodes in the cluster (default ${DEFAULTS.workers + 1}, the lab's)`,
  `  --pods-per-node  pods a full node runs (default ${KUBELET_DEFAULT_MAX_PODS}, the kubelet's default)`,
  `  --encapsulation  ${ENCAPSULATIONS.join("|")} (default ${DEFAULTS.encapsulation}); all but None give each node a tunnel address`,
  "  --json           print the plan as JSON (counts are decimal strings, exact beyond 2^53)",
].join("\n");

const OPTIONS = {
  cidr: { type: "string" },
  "block-size": { type: "string" },
  nodes: { type: "string" },
  "pods-per-node": { type: "string" },
  encapsulation: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const FLAG_OF: Record<PlanField, string> = {
  poolCidr: "--cidr",
  blockSize: "--block-size",
  nodes: "--nodes",
  podsPerNode: "--pods-per-node",
};

/** A usage mistake: reported as one line, never as a stack trace. */
class UsageError extends Error {}

/** A whole number as typed: "-5" and 400 digits are numbers too, refused by planIp's range check, not called "not a number". */
function wholeNumber(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not ${echo(value)}`);
  if (value.replace(/^-?0*/, "").length > String(max).length) throw new UsageError(`${flag} ${echo(value)} is too large: at most ${max.toLocaleString("en-US")}`);
  return Number(value);
}

/** `--nodes -5`: node's parseArgs takes "-5" for an option; joined as `--nodes=-5` it is a value. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, next] = [argv[i], argv[i + 1]];
    const takesValue = flag.startsWith("--") && (OPTIONS as Record<string, { type: string }>)[flag.slice(2)]?.type === "string";
    if (takesValue && next !== undefined && /^-\d/.test(next)) {
      out.push(`${flag}=${next}`);
      i++;
    } else {
      out.push(flag);
    }
  }
  return out;
}

/** node:util's messages run to several sentences; keep the part that names the option. */
function argsError(err: unknown): UsageError {
  const message = err instanceof Error ? err.message : String(err);
  return new UsageError(message.split(/\.( |$)/)[0].replace(/'/g, "").slice(0, 200));
}

/** Runs the CLI; returns the exit code. `out` gets the plan, `err` the one-line error. */
export function runPlanCli(argv: string[], out: (s: string) => void, err: (s: string) => void = out): number {
  try {
    let args;
    try {
      args = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, strict: true, allowPositionals: false }).values;
    } catch (e) {
      throw argsError(e);
    }
    if (args.help) {
      out(USAGE);
      return 0;
    }
    const poolCidr = args.cidr ?? DEFAULTS.podCidr;
    const pool = parseCidr(poolCidr);
    const family = pool.ok ? pool.cidr.family : "IPv4";
    const encapsulation = args.encapsulation ?? DEFAULTS.encapsulation;
    if (!(ENCAPSULATIONS as readonly string[]).includes(encapsulation)) {
      throw new UsageError(`--encapsulation must be one of ${ENCAPSULATIONS.join(", ")}, not ${echo(encapsulation)}`);
    }
    const plan = planIp({
      poolCidr,
      blockSize: wholeNumber("--block-size", args["block-size"], BLOCK_SIZE_RANGE[family].calicoDefault, BLOCK_SIZE_RANGE.IPv6.max),
      nodes: wholeNumber("--nodes", args.nodes, DEFAULTS.workers + 1, PLAN_LIMITS.nodes),
      podsPerNode: wholeNumber("--pods-per-node", args["pods-per-node"], KUBELET_DEFAULT_MAX_PODS, PLAN_LIMITS.podsPerNode),
      tunnelAddressPerNode: encapsulation !== "None",
    });
    out(args.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
    return 0;
  } catch (e) {
    if (e instanceof PlanError) err(`plan: ${FLAG_OF[e.field]}: ${e.message} (see --help)`);
    else if (e instanceof UsageError) err(`plan: ${e.message} (see --help)`);
    else err(`plan: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = runPlanCli(
    process.argv.slice(2),
    (s) => process.stdout.write(`${s}\n`),
    (s) => process.stderr.write(`${s}\n`),
  );
}
