// Builds the real program under the shared mocks, per config, and collects what a user depends on:
// the resources declared (with their inputs and options) and the stack outputs.
import { gunzipSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { buildLab, LabDeps } from "../../lab";
import { parseLabConfig, RawConfig } from "../../lib/config";
import { readyLocalHost } from "../host/local-host-fixture";
import { declared, isPreview, LoggedResource, resetMocks, MOCK_PUBLIC_IP } from "./mocks";
import { engine, keyOf, StepResult } from "./engine";
import { EMPTY_IPAM_STATE } from "../../components/ipam";

export interface DeclaredResource extends LoggedResource {
  /** The resource options the program gave it (dependsOn, deletedWith, parent...). */
  opts: pulumi.CustomResourceOptions;
}

export interface BuiltLab {
  outputs: Record<string, pulumi.Output<unknown>>;
  resources: DeclaredResource[];
  /** Every resource of a type, e.g. "aws:ec2/instance:Instance". */
  ofType(type: string): DeclaredResource[];
  /** The one resource of a type (whose name contains `name`, when given); throws otherwise. */
  one(type: string, name?: string): DeclaredResource;
}

/** Records every call, so tests can assert what ran and in which order. */
export const calls: string[] = [];

export function fakeDeps(overrides: Partial<LabDeps> = {}): LabDeps {
  return {
    detectPublicIp: async () => MOCK_PUBLIC_IP,
    sshAgentSocket: undefined,
    sshAgentAnswers: async () => true,
    localHost: readyLocalHost(),
    readFile: () => {
      throw new Error("no file reads in this test");
    },
    inspectCluster: async () => ({ operatorInstalled: false }),
    waitForCalico: async () => {
      calls.push("waitForCalico");
      return { timings: { operatorRunningSeconds: 21, calicoNodesRunningSeconds: 77, calicoReadySeconds: 142 } };
    },
    readIpamState: async () => {
      calls.push("readIpamState");
      return EMPTY_IPAM_STATE;
    },
    // Installation created to the last probe pod Ready: after calicoReadySeconds, as on a real cluster.
    readIpamProbeTimings: async () => ({ ipamProbeReadySeconds: 151 }),
    readWorkloads: async () => {
      calls.push("readWorkloads");
      return [];
    },
    readLivePools: async () => [],
    ...overrides,
  };
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Mock inputs as the program meant them: secret inputs reach the mocks wrapped in a signature. */
/** The cloud-config an instance boots with: its userDataBase64 is gzip, then base64 (lib/host/cloud-init.ts). */
export function userDataOf(instance: LoggedResource): string {
  const packed = unwrapSecrets(instance.inputs.userDataBase64);
  if (typeof packed !== "string") throw new Error(`${instance.name} has no userDataBase64`);
  return gunzipSync(Buffer.from(packed, "base64")).toString("utf8");
}

export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (SECRET_SIG in record) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/**
 * The value of a `NAME='...'` line in a step script, read as bash reads it: single-quoted
 * strings, with each `'\''` (close, escaped quote, reopen) standing for one quote.
 */
export function bashSingleQuotedValue(script: string, name: string): string {
  const start = script.search(new RegExp(`^${name}='`, "m"));
  if (start < 0) throw new Error(`no ${name}='...' assignment in the script`);
  let i = start + name.length + 1;
  let value = "";
  for (;;) {
    const close = script.indexOf("'", i + 1);
    if (close < 0) throw new Error(`${name}: unterminated single quote`);
    value += script.slice(i + 1, close);
    if (!script.startsWith("\\''", close + 1)) {
      const rest = script.slice(close + 1).split("\n", 1)[0];
      if (rest.trim() !== "") throw new Error(`${name}: unexpected "${rest}" after the quoted value`);
      return value;
    }
    value += "'";
    i = close + 2;
  }
}

/** Was this mock input marked secret by the program? */
export function isSecretInput(input: unknown): boolean {
  return Boolean(input && typeof input === "object" && SECRET_SIG in input);
}

/** The value of an Output, or a rejection naming it when it never resolves (unknown in preview). */
export function valueOf<T>(output: pulumi.Output<T>, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("output never resolved (unknown?)")), ms);
    output.apply((v) => {
      clearTimeout(timer);
      resolve(v);
      return v;
    });
  });
}

// The SDK's own gathering of dependsOn (internal, so not in its types): Outputs awaited, and the
// resources behind them kept, as before every registration (sdk/nodejs/runtime/resource.ts prepareResource).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { gatherExplicitDependencies } = require("@pulumi/pulumi/runtime/dependsOn") as {
  gatherExplicitDependencies(dependsOn: unknown): Promise<pulumi.Resource[]>;
};

/** `type::name` of every resource `r` depends on explicitly (its dependsOn, gathered as the SDK does). */
export async function dependencyKeys(r: DeclaredResource): Promise<string[]> {
  const resources = await gatherExplicitDependencies(r.opts.dependsOn);
  const urns = await Promise.all(resources.map((d) => valueOf(d.urn)));
  return [...new Set(urns.map((urn) => urn.split("::").slice(-2).join("::").replace(/^.*\$/, "")))].sort();
}

/** How long to wait for each output before taking it as unknown (as in a preview). */
const SETTLE_MS = 1500;

export async function buildLabForTest(raw: RawConfig = {}, deps: LabDeps = fakeDeps()): Promise<BuiltLab> {
  resetMocks();
  calls.length = 0;
  const options = new Map<string, pulumi.CustomResourceOptions>();
  let outputs: Record<string, pulumi.Output<unknown>> = {};
  // runInPulumiStack hands back plain values; the Outputs themselves (secrecy included) are kept here.
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      options.set(`${args.type}::${args.name}`, args.opts);
      // Seen before the registration reaches the mocks, so the lifecycle engine knows the options.
      engine.options.set(keyOf(args.type, args.name), args.opts as pulumi.CustomResourceOptions);
      engine.keysOf.set(args.resource, keyOf(args.type, args.name));
      return undefined;
    });
    outputs = await buildLab(parseLabConfig(raw), deps);
    return outputs;
  });
  // Let every registration reach the mocks before anyone looks.
  await Promise.all(Object.values(outputs).map((o) => valueOf(o, SETTLE_MS).catch(() => undefined)));
  const resources = declared.map((r) => ({ ...r, opts: options.get(`${r.type}::${r.name}`) ?? {} }));
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    outputs,
    resources,
    ofType,
    one(type, name) {
      const found = ofType(type).filter((r) => name === undefined || r.name.includes(name));
      if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named *${name}*` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
      }
      return found[0];
    },
  };
}

export interface LifecycleStep {
  lab: BuiltLab;
  result: StepResult;
}

/**
 * One run of the program against the state the previous `up` left (setLifecycle(true) first):
 * a preview or an up, as the mocks are set (setPreview).
 */
export async function runLifecycleStep(raw: RawConfig = {}, deps: LabDeps = fakeDeps()): Promise<LifecycleStep> {
  engine.begin(isPreview());
  let lab: BuiltLab;
  try {
    lab = await buildLabForTest(raw, deps);
  } catch (err) {
    // A run that stops early (a refused config) leaves the state as it was.
    engine.abandon();
    throw err;
  }
  return { lab, result: engine.end() };
}
