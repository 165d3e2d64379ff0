// How step scripts reach the machine that runs the lab: SSH to the EC2 host, or a local shell.
// The cluster component is written once against this interface; only the transport differs.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

export interface StepCommandArgs {
  create: pulumi.Input<string>;
  delete?: pulumi.Input<string>;
  /** Runs instead of `create` when only the script text changed; the lab stays as it is. */
  update?: pulumi.Input<string>;
  triggers?: pulumi.Input<unknown[]>;
  /** stdout carries a secret (a kubeconfig): keep it out of logs and mark it secret in state. */
  secretStdout?: boolean;
}

export interface StepCommand {
  resource: pulumi.CustomResource;
  stdout: pulumi.Output<string>;
}

/** Resource options of a step; its dependencies are plain resources, so transports can add their own. */
export type StepOptions = Omit<pulumi.CustomResourceOptions, "dependsOn"> & { dependsOn?: pulumi.Resource[] };

export interface StepTransport {
  readonly kind: "ssh" | "local";
  command(name: string, args: StepCommandArgs, opts: StepOptions): StepCommand;
}

function secretOptions(args: StepCommandArgs, opts: StepOptions): pulumi.CustomResourceOptions {
  return args.secretStdout ? { ...opts, additionalSecretOutputs: ["stdout"] } : opts;
}

function logging(args: StepCommandArgs): "stdoutAndStderr" | "stderr" {
  return args.secretStdout ? "stderr" : "stdoutAndStderr";
}

function withDependencies(opts: StepOptions, more: pulumi.Resource[]): StepOptions {
  return more.length === 0 ? opts : { ...opts, dependsOn: [...(opts.dependsOn ?? []), ...more] };
}

/**
 * Steps over SSH. `access` is what must exist before any step dials (the rules admitting the
 * caller); a plain dependency, so a rule changing never makes a step's inputs unknown.
 */
export function sshTransport(connection: pulumi.Input<command.types.input.remote.ConnectionArgs>, access: pulumi.Resource[] = []): StepTransport {
  return {
    kind: "ssh",
    command(name, args, opts) {
      const resource = new command.remote.Command(
        name,
        { connection, create: args.create, delete: args.delete, update: args.update, triggers: args.triggers, logging: logging(args) },
        secretOptions(args, withDependencies(opts, access)),
      );
      return { resource, stdout: resource.stdout };
    },
  };
}

export function localTransport(): StepTransport {
  return {
    kind: "local",
    command(name, args, opts) {
      const resource = new command.local.Command(
        name,
        {
          create: args.create,
          delete: args.delete,
          update: args.update,
          triggers: args.triggers,
          interpreter: ["/bin/bash", "-c"],
          logging: logging(args),
        },
        secretOptions(args, opts),
      );
      return { resource, stdout: resource.stdout };
    },
  };
}
