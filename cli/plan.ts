// `npm run plan -- --cidr 192.168.0.0/16 --block-size 26 --nodes 3 [--pods-per-node 110] [--json]`
// Prints the Calico IP plan with no cloud and no cluster, for sizing a real cluster before building it.
import { parseArgs } from "node:util";
import { DEFAULTS, ENCAPSULATIONS } from "../lib/config";
import { BLOCK_SIZE_RANGE, parseCidr } from "../lib/core/cidr";
import { formatPlan, KUBELET_DEFAULT_MAX_PODS, planIp, PlanError, type PlanField } from "../lib/ipam/plan";

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

function wholeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** node:util's messages run to several sentences; keep the part that names the option. */
function argsError(err: unknown): UsageError {
  const message = err instanceof Error ? err.message : String(err);
  return new UsageError(message.split(/\.( |$)/)[0].replace(/'/g, ""));
}

/** Runs the CLI; returns the exit code. `out` gets the plan, `err` the one-line error. */
export function runPlanCli(argv: string[], out: (s: string) => void, err: (s: string) => void = out): number {
  try {
    let args;
    try {
      args = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
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
      throw new UsageError(`--encapsulation must be one of ${ENCAPSULATIONS.join(", ")}, not ${JSON.stringify(encapsulation)}`);
    }
    const plan = planIp({
      poolCidr,
      blockSize: wholeNumber("--block-size", args["block-size"], BLOCK_SIZE_RANGE[family].calicoDefault),
      nodes: wholeNumber("--nodes", args.nodes, DEFAULTS.workers + 1),
      podsPerNode: wholeNumber("--pods-per-node", args["pods-per-node"], KUBELET_DEFAULT_MAX_PODS),
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
