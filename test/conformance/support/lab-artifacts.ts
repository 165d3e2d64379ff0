// The artifacts the real program sends to the outside world, taken from its run under the shared
// mocks (buildLabForTest), never re-rendered here: what a judge sees is what the program declared.
import { parse, parseDocument } from "yaml";
import type { RawConfig } from "../../../lib/config";
import { buildLabForTest, BuiltLab, DeclaredResource, unwrapSecrets, userDataOf } from "../../support/lab-harness";
import { assertNoProblems } from "./environment";

export type KubeObject = Record<string, unknown>;

/** One shell script the program sends, named by where it comes from. */
export interface Script {
  name: string;
  text: string;
}

export interface LabArtifacts {
  lab: BuiltLab;
  installation: KubeObject;
  apiServer: KubeObject;
  /** The `create` script of the cluster's deploy command: it carries TOPOLOGY and KIND_CONFIG. */
  deployScript: string;
  /** cloud-init user data of the EC2 instance (target aws only). */
  userData?: string;
  /** Every shell script: commands' create/update/delete, and scripts cloud-init writes. */
  scripts: Script[];
}

export function inputsOf(resource: DeclaredResource): Record<string, unknown> {
  return unwrapSecrets(resource.inputs) as Record<string, unknown>;
}

const COMMAND_TYPES = ["command:remote:Command", "command:local:Command"];

function commandScripts(lab: BuiltLab): Script[] {
  return lab.resources
    .filter((r) => COMMAND_TYPES.includes(r.type))
    .flatMap((r) => {
      const inputs = inputsOf(r);
      return (["create", "update", "delete"] as const)
        .filter((field) => typeof inputs[field] === "string")
        .map((field) => ({ name: `${r.name}.${field}`, text: inputs[field] as string }));
    });
}

/** Files cloud-init writes that are scripts (a `#!` line): they run on the host too. */
export function cloudInitScripts(userData: string, owner: string): Script[] {
  const config = parse(userData) as { write_files?: { path: string; content?: string }[] };
  return (config.write_files ?? [])
    .filter((f) => typeof f.content === "string" && f.content.startsWith("#!"))
    .map((f) => ({ name: `${owner}.userData write_files ${f.path}`, text: f.content as string }));
}

/** YAML as a strict Go decoder sees it: one document, no duplicate keys, no parse errors. */
export function parseYamlStrictly(text: string, label: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  assertNoProblems(`${label} is not clean YAML`, [...doc.errors, ...doc.warnings].map((e) => e.message));
  return doc.toJS();
}

const cache = new Map<string, Promise<LabArtifacts>>();

async function collect(raw: RawConfig): Promise<LabArtifacts> {
  const lab = await buildLabForTest(raw);
  const object = (type: string): KubeObject => inputsOf(lab.one(type));
  const instances = lab.ofType("aws:ec2/instance:Instance");
  const userData = instances.length === 1 ? userDataOf(instances[0]) : undefined;
  const deployCommand = lab.resources.find((r) => COMMAND_TYPES.includes(r.type) && r.name.endsWith("-deploy"));
  if (!deployCommand) throw new Error(`no *-deploy command declared for config ${JSON.stringify(raw)}`);
  const deploy = inputsOf(deployCommand);
  return {
    lab,
    installation: object("kubernetes:operator.tigera.io/v1:Installation"),
    apiServer: object("kubernetes:operator.tigera.io/v1:APIServer"),
    deployScript: deploy.create as string,
    userData,
    scripts: [...commandScripts(lab), ...(userData ? cloudInitScripts(userData, instances[0].name) : [])],
  };
}

/** The program's artifacts for a raw stack config, built once per config per mocha run. */
export function labArtifacts(raw: RawConfig = {}): Promise<LabArtifacts> {
  const key = JSON.stringify(raw);
  if (!cache.has(key)) cache.set(key, collect(raw));
  return cache.get(key)!;
}
