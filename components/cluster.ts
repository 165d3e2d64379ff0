// The kind cluster, created by containerlab from a rendered topology, on whatever machine the
// transport reaches. Its kubeconfig is the one thing later stages need, and it stays secret.
import * as pulumi from "@pulumi/pulumi";
import { renderStep, parseTimings } from "../lib/core/steps";
import { ClusterShape, deployStepParams, nodeNames, renderKindConfig, renderKindConfigIdentity, renderTopology } from "../lib/cluster/topology";
import { pointKubeconfigAt } from "../lib/cluster/kubeconfig";
import { StepTransport } from "./transport";

export interface LabClusterArgs {
  transport: StepTransport;
  shape: pulumi.Input<ClusterShape>;
  /** Calico cannot change a pool's block size in place, so a new one needs a new cluster. */
  blockSize: number;
  /** The API server URL clients use; undefined keeps the one kind wrote (loopback labs). */
  apiServerUrl?: pulumi.Input<string>;
  /** What must be ready before the first step runs (the host). */
  dependsOn?: pulumi.Resource[];
  /** Identity of the machine the cluster runs on: a new or resized machine gets a new cluster. */
  machineId?: pulumi.Input<string>;
  /** The machine, when deleting it removes the cluster: destroy then never dials it. */
  deletedWith?: pulumi.Resource;
}

export interface RenderedCluster {
  topology: string;
  kindConfig: string;
}

export class LabCluster extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly nodes: pulumi.Output<{ name: string; role: string }[]>;
  /** Admin kubeconfig pointed at apiServerUrl; secret. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly rendered: pulumi.Output<RenderedCluster>;
  /** The deployment itself: everything inside the cluster goes away with it; its id names the cluster. */
  readonly deployment: pulumi.CustomResource;
  /** Stages the deploy step measured (cluster creation, and the host's first-boot stages done by then). */
  readonly timings: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: LabClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:cluster:LabCluster", name, {}, opts);
    const parent = { parent: this };
    const shape = pulumi.output(args.shape);
    this.rendered = shape.apply((s) => ({ topology: renderTopology(s), kindConfig: renderKindConfig(s) }));
    const labName = shape.apply((s) => s.labName);

    // Over SSH the machine is the lab's own host: its login user gets the cluster as its default.
    const userKubeconfig = args.transport.kind === "ssh" ? "default" : "lab-only";
    const deploy = args.transport.command(`${name}-deploy`, {
      create: shape.apply((s) => renderStep("deploy-cluster", deployStepParams(s, userKubeconfig))),
      // A new version of the script alone must not rebuild a running cluster; the update repeats
      // the timings the deploy saved, so the timings output keeps its values.
      update: labName.apply((lab) => renderStep("keep-cluster", { LAB_NAME: lab })),
      delete: labName.apply((lab) => renderStep("destroy-cluster", { LAB_NAME: lab })),
      // Exactly what needs a new cluster: the rendered files (Kubernetes version, nodes, subnets,
      // certificate names), the pool settings Calico refuses to change in place, and a new machine.
      // Worker labels are left out: the lab relabels running nodes in place.
      triggers: [this.rendered.topology, shape.apply(renderKindConfigIdentity), shape.podCidr, args.blockSize, ...(args.machineId ? [args.machineId] : [])],
    }, {
      ...parent,
      dependsOn: args.dependsOn,
      deletedWith: args.deletedWith,
      customTimeouts: { create: "20m", delete: "10m" },
      // The new cluster has the old one's name: the old must be destroyed first, or its delete
      // step would destroy the new one. (Its kubeconfig is then unknown in the preview, so the
      // Kubernetes provider and every object in the cluster are replaced with it.)
      deleteBeforeReplace: true,
    });

    // Its stdout is the kubeconfig everything in the cluster hangs on, and a step whose inputs change
    // has an unknown stdout in the next preview (pulumi-go-provider infer/resource.go, markComputed:
    // every output depends on every input). So its inputs change only with the cluster: a small
    // fixed script of the lab name, without the shared prelude, and the deployment's id as trigger.
    const read = args.transport.command(`${name}-kubeconfig`, {
      create: labName.apply((lab) => renderStep("read-kubeconfig", { LAB_NAME: lab }, { prelude: false })),
      triggers: [deploy.resource.id],
      secretStdout: true,
    }, { ...parent, dependsOn: [deploy.resource] });

    const apiServerUrl = args.apiServerUrl;
    this.kubeconfig = pulumi.secret(
      apiServerUrl === undefined
        ? read.stdout
        : pulumi.all([read.stdout, apiServerUrl]).apply(([kubeconfig, url]) => {
            try {
              return pointKubeconfigAt(kubeconfig, url);
            } catch (err) {
              // Meant for the user: printed alone, without a stack (see lab.ts, stop).
              throw new pulumi.RunError((err as Error).message);
            }
          }),
    );
    this.clusterName = labName;
    this.nodes = shape.apply(nodeNames);
    this.deployment = deploy.resource;
    this.timings = deploy.stdout.apply(parseTimings);
    this.registerOutputs({ clusterName: this.clusterName, nodes: this.nodes, kubeconfig: this.kubeconfig });
  }
}
