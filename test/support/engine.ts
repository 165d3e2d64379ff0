// A small model of what the Pulumi engine and this lab's providers decide when a program runs again
// against the state a previous `pulumi up` left: create, same, update or replace per resource, which
// outputs a preview knows, what is deleted, and which deletes actually run on destroy. Mocks run our
// code, not the engine: each rule here is read from the upstream source named beside it, so the
// lifecycle suite (test/lab/lifecycle.spec.ts) can walk a user's sequence of runs.
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

export type Plan = "create" | "same" | "update" | "replace";

export interface EngineResource {
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** Options the program gave (from the harness's stack transformation). */
  opts: pulumi.CustomResourceOptions;
  /** deletedWith, as the key of the owning resource. */
  deletedWith?: string;
  /** The replacementTrigger option's value, as the state records it. */
  trigger?: Trigger;
}

/** A replacementTrigger option resolved: its value, or unknown (in a preview). */
export type Trigger = { known: true; value: unknown } | { known: false };

/** The engine's builtin Stash (pulumi pkg/resource/deploy/builtins.go, stashType). */
export const STASH = "pulumi:index:Stash";

export interface PlannedResource {
  key: string;
  plan: Plan;
  /** Changed (or unknown) input names, for update and replace. */
  changed: string[];
  /** A Kubernetes object whose provider's configuration is unknown in this preview. */
  providerUnknown?: boolean;
}

export interface StepResult {
  planned: Map<string, PlannedResource>;
  /** Resources of the previous state this run no longer declares: the engine deletes them. */
  deleted: string[];
  of(plan: Plan): string[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (SECRET_SIG in record) return plain(record.value);
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}

export const keyOf = (type: string, name: string): string => `${type}::${name}`;

/**
 * Does a replacementTrigger replace the resource? pkg/resource/deploy/step_generator.go,
 * shouldTriggerReplace: unknowns always do; a null on either side is "no trigger" and never does
 * (so is no option at all: the state then records none); else any difference does.
 */
export function triggerReplaces(now: Trigger | undefined, before: Trigger | undefined): boolean {
  if (now === undefined) return false;
  if (!now.known || (before !== undefined && !before.known)) return true;
  if (before === undefined || before.value === null || before.value === undefined || now.value === null || now.value === undefined) return false;
  return !same(now.value, before.value);
}

/** An option's value as the SDK sends it (sdk/nodejs/runtime/resource.ts prepareResource: unknown only in a preview). */
export async function resolveTrigger(trigger: pulumi.Input<unknown>): Promise<Trigger> {
  // isKnown and promise() are the Output's own (not in its types); the SDK reads isKnown the same way.
  const output = pulumi.output(trigger) as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
  if (!(await output.isKnown)) return { known: false };
  return { known: true, value: plain(await output.promise()) ?? null };
}

/** The resource name inside a provider reference "urn:pulumi:stack::project::type::name::id". */
function providerName(reference: string | undefined): string | undefined {
  const parts = reference?.split("::");
  return parts && parts.length >= 5 ? parts[parts.length - 2] : undefined;
}

/** The cluster entry (server, CA...) of a kubeconfig's current context, as DiffConfig compares it (getActiveClusterFromConfig). */
function activeCluster(kubeconfig: unknown): string | undefined {
  const text = plain(kubeconfig);
  if (typeof text !== "string") return undefined;
  const doc = parse(text) as { "current-context"?: string; contexts?: { name: string; context?: { cluster?: string } }[]; clusters?: { name: string; cluster?: unknown }[] };
  const clusterName = doc.contexts?.find((c) => c.name === doc["current-context"])?.context?.cluster;
  return JSON.stringify(doc.clusters?.find((c) => c.name === clusterName)?.cluster);
}

export class LifecycleEngine {
  state = new Map<string, EngineResource>();
  private current = new Map<string, EngineResource>();
  private planned = new Map<string, PlannedResource>();
  private generation = new Map<string, number>();
  private preview = false;
  /** Options by resource key, recorded by the harness before each registration reaches the mocks. */
  options = new Map<string, pulumi.CustomResourceOptions>();
  /** Resource objects to their keys, so deletedWith can be followed. */
  keysOf = new Map<pulumi.Resource, string>();

  reset(): void {
    this.state.clear();
    this.generation.clear();
  }

  begin(preview: boolean): void {
    this.preview = preview;
    this.current = new Map();
    this.planned = new Map();
    this.options.clear();
    this.keysOf.clear();
  }

  /** Drops what a failed run registered; the state stays as the last up left it. */
  abandon(): void {
    this.current = new Map();
    this.planned = new Map();
  }

  /** Decides a resource's plan and what the mock hands back; `outputsFor` computes a real create's outputs. */
  /** register, once the resource's replacementTrigger option (when it has one) is resolved. */
  registerResolved(
    args: { type: string; name: string; inputs: Record<string, unknown>; provider?: string },
    outputsFor: (inputs: Record<string, unknown>, plan: Plan) => Record<string, unknown>,
  ): { id: string | undefined; state: Record<string, unknown> } | Promise<{ id: string | undefined; state: Record<string, unknown> }> {
    const option = this.options.get(keyOf(args.type, args.name))?.replacementTrigger;
    if (option === undefined) return this.register(args, outputsFor);
    return resolveTrigger(option).then((trigger) => this.register({ ...args, trigger }, outputsFor));
  }

  register(
    args: { type: string; name: string; inputs: Record<string, unknown>; provider?: string; trigger?: Trigger },
    outputsFor: (inputs: Record<string, unknown>, plan: Plan) => Record<string, unknown>,
  ): { id: string | undefined; state: Record<string, unknown> } {
    const key = keyOf(args.type, args.name);
    const old = this.state.get(key);
    const opts = this.options.get(key) ?? {};
    let inputs = args.inputs;
    if (old) {
      // Ignored properties take their old values before any diff, replacements included
      // (pkg/resource/deploy/step_generator.go, processIgnoreChanges).
      inputs = { ...inputs };
      for (const prop of opts.ignoreChanges ?? []) if (prop in old.inputs) inputs[prop] = old.inputs[prop];
    }
    const changed = old ? [...new Set([...Object.keys(old.inputs), ...Object.keys(inputs)])].filter((k) => !same(old.inputs[k], inputs[k])) : [];
    const providerPlan = this.planned.get(keyOf("pulumi:providers:kubernetes", providerName(args.provider) ?? ""));
    const providerInputs = providerPlan ? this.current.get(providerPlan.key)?.inputs : undefined;
    const providerUnknown = this.preview && args.type.startsWith("kubernetes:") && providerInputs !== undefined && providerInputs.kubeconfig === undefined;
    // A resource whose deletedWith target is replaced is replaced with it (pulumi#23818, v3.260.0:
    // pkg/resource/deploy/step_generator.go, "replaced because the resource it is DeletedWith is being replaced").
    const ownerKey = opts.deletedWith ? this.keysOf.get(opts.deletedWith as pulumi.Resource) : undefined;
    const ownerReplaced = ownerKey !== undefined && this.planned.get(ownerKey)?.plan === "replace";
    // An unknown trigger fails a real up (step_generator.go generateStepsFromDiff: "replacement trigger
    // contains unknowns"); in a preview it plans a replacement.
    if (old && !this.preview && args.trigger && !args.trigger.known) throw new Error(`replacement trigger contains unknowns for ${key}`);
    const triggered = old !== undefined && triggerReplaces(args.trigger, old.trigger);
    // A resource is replaced when one in its replaceWith list is (ReplaceWith, v3.207.0: step_generator.go
    // diff, "marked for replacement because ... (in its ReplaceWith list) is being replaced").
    const withReplaced = (opts.replaceWith ?? []).some((r) => this.planned.get(this.keysOf.get(r) ?? "")?.plan === "replace");
    const replace = old !== undefined && (triggered || ownerReplaced || withReplaced || this.replaces(args.type, old, inputs, changed, providerPlan));
    const plan: Plan = !old ? "create" : replace ? "replace" : changed.length > 0 || providerUnknown ? "update" : "same";
    this.planned.set(key, { key, plan, changed, providerUnknown });

    let id: string | undefined;
    let outputs: Record<string, unknown>;
    if (args.type === STASH && plan !== "same") {
      // builtins.go, called in a preview too (step.go CreateStep/UpdateStep.Apply pass Preview to the
      // provider): Create sets output to the input; Update records the new input and keeps the old output.
      outputs = plan === "update" ? { input: inputs.input, output: old!.outputs.output } : { input: inputs.input, output: inputs.input };
      if (this.preview) id = plan === "update" ? old!.id : undefined;
      else {
        const generation = plan === "update" ? this.generation.get(key) ?? 1 : (this.generation.get(key) ?? 0) + 1;
        this.generation.set(key, generation);
        id = `${args.name}-id${generation > 1 ? `-${generation}` : ""}`;
      }
    } else if (this.preview) {
      if (plan === "same") ({ id, outputs } = old!);
      else if (plan === "update") {
        id = old!.id;
        outputs = this.previewUpdate(args.type, old!, inputs, providerUnknown);
      } else {
        // A create or a replacement: the new id and every computed output are unknown.
        id = undefined;
        outputs = { ...inputs };
      }
    } else {
      const generation = plan === "same" || plan === "update" ? this.generation.get(key) ?? 1 : (this.generation.get(key) ?? 0) + 1;
      this.generation.set(key, generation);
      id = `${args.name}-id${generation > 1 ? `-${generation}` : ""}`;
      outputs = plan === "same" ? old!.outputs : outputsFor(inputs, plan);
    }
    this.current.set(key, { type: args.type, name: args.name, id: id ?? "", inputs, outputs, opts, deletedWith: ownerKey, trigger: args.trigger });
    return { id, state: outputs };
  }

  private replaces(type: string, old: EngineResource, inputs: Record<string, unknown>, changed: string[], providerPlan?: PlannedResource): boolean {
    if (type === "command:remote:Command" || type === "command:local:Command") {
      // Only triggers force a replacement (pulumi-command common/inputs.go: Triggers is replaceOnChanges).
      return changed.includes("triggers");
    }
    if (type === "pulumi:providers:kubernetes") {
      // pulumi-kubernetes provider.go DiffConfig: a clusterIdentifier set before and now decides alone,
      // replacing only when it changed. One just added (a stack made before it) replaces nothing by
      // itself ("on- and off-boarding less risky"); then, as without one, an unknown kubeconfig or a new
      // active cluster entry replaces. The program always sets one where it sets any, so an identifier
      // absent now after one was set is an unknown one (it reaches the mocks as absent): changed.
      if (old.inputs.clusterIdentifier !== undefined) return changed.includes("clusterIdentifier");
      return inputs.kubeconfig === undefined || activeCluster(old.inputs.kubeconfig) !== activeCluster(inputs.kubeconfig);
    }
    if (type.startsWith("kubernetes:")) {
      // Every object of a replaced provider is replaced with it (the engine diffs against the new provider).
      return providerPlan?.plan === "replace";
    }
    return false;
  }

  private previewUpdate(type: string, old: EngineResource, inputs: Record<string, unknown>, providerUnknown: boolean): Record<string, unknown> {
    if (type.startsWith("command:")) {
      // Every output depends on every input (pulumi-go-provider infer/resource.go, ensureDefaultComputed
      // and markComputed): outputs that do not mirror an input are unknown in the preview.
      return { ...inputs };
    }
    if (providerUnknown) {
      // sdk/go/common/resource/plugin/provider_plugin.go Update: with unknown provider config a preview
      // hands back an empty property map, so every output is unknown.
      return {};
    }
    return { ...old.outputs, ...inputs };
  }

  /** Ends a run: a preview leaves the state alone, an up replaces it with what this run declared. */
  end(): StepResult {
    const deleted = [...this.state.keys()].filter((key) => !this.current.has(key));
    const planned = this.planned;
    if (!this.preview) this.state = this.current;
    return { planned, deleted, of: (plan) => [...planned.values()].filter((p) => p.plan === plan).map((p) => p.key) };
  }

  /**
   * `pulumi destroy`: which resources' deletes run. A resource whose deletedWith owner is deleted in
   * the same operation is skipped (pkg/resource/deploy/step.go, DeleteStep.Apply and isDeletedWith).
   */
  destroy(): { deletes: string[]; skipped: string[] } {
    const deletes: string[] = [];
    const skipped: string[] = [];
    for (const [key, resource] of this.state) {
      if (resource.deletedWith && this.state.has(resource.deletedWith)) skipped.push(key);
      else deletes.push(key);
    }
    this.state = new Map();
    return { deletes, skipped };
  }
}

export const engine = new LifecycleEngine();
