// Calico on the cluster: the Tigera operator from the pinned release, the lab's Installation and
// APIServer, and a bounded wait until the operator reports Calico Available.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { calicoManifestUrl } from "../lib/core/versions";
import { installationSpec, PoolSettings } from "../lib/calico/resources";
import { formatDuration, READY_COMPONENTS, type CalicoProgress } from "../lib/calico/ready";

export interface CalicoReadiness {
  /** Stage seconds up to Calico Available (calicoReadySeconds, ...), by the cluster's clock. */
  timings?: Record<string, number>;
}

export type WaitForCalico = (
  kubeconfig: string,
  options: { components: readonly string[]; timeoutMs: number; onProgress: (progress: CalicoProgress) => void },
) => Promise<CalicoReadiness>;

export interface CalicoArgs {
  /** Admin kubeconfig of the cluster (secret). */
  kubeconfig: pulumi.Input<string>;
  calicoVersion: string;
  pool: PoolSettings;
  timeoutMinutes: number;
  /** false when the cluster already runs the Tigera operator (target existing). */
  installOperator: boolean;
  /** The cluster itself, when Pulumi created it: its objects are not deleted one by one. */
  deletedWith?: pulumi.Resource;
  waitForCalico: WaitForCalico;
}

export class Calico extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  readonly installation: k8s.apiextensions.CustomResource;
  readonly apiServer: k8s.apiextensions.CustomResource;
  /** Resolves once TigeraStatus calico, apiserver and ippools are Available (never during a preview). */
  readonly ready: pulumi.Output<CalicoReadiness>;

  constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:calico:Calico", name, {}, opts);
    this.provider = new k8s.Provider(`${name}-k8s`, {
      kubeconfig: pulumi.secret(args.kubeconfig),
      // When the cluster is gone (its host destroyed first), forget its objects instead of hanging.
      deleteUnreachable: true,
    }, { parent: this });
    const inCluster: pulumi.CustomResourceOptions = { parent: this, provider: this.provider, deletedWith: args.deletedWith };

    const operator: pulumi.Resource[] = [];
    if (args.installOperator) {
      // Since v3.30 the CRDs ship apart from the operator. Server-side apply (the provider's default)
      // is required: the Installation CRD alone is too big for client-side apply's annotation.
      const crds = new k8s.yaml.v2.ConfigFile(`${name}-operator-crds`, {
        file: calicoManifestUrl(args.calicoVersion, "operator-crds.yaml"),
      }, inCluster);
      operator.push(crds, new k8s.yaml.v2.ConfigFile(`${name}-tigera-operator`, {
        file: calicoManifestUrl(args.calicoVersion, "tigera-operator.yaml"),
      }, { ...inCluster, dependsOn: [crds] }));
    }

    // Both depend on the operator, so a destroy removes them first, while the operator still runs
    // to clear their finalizers.
    this.installation = new k8s.apiextensions.CustomResource(`${name}-installation`, {
      apiVersion: "operator.tigera.io/v1",
      kind: "Installation",
      metadata: { name: "default", annotations: { "pulumi.com/patchForce": "true" } },
      spec: installationSpec(args.pool),
    }, { ...inCluster, dependsOn: operator });
    this.apiServer = new k8s.apiextensions.CustomResource(`${name}-apiserver`, {
      apiVersion: "operator.tigera.io/v1",
      kind: "APIServer",
      metadata: { name: "default" },
      spec: {},
    }, { ...inCluster, dependsOn: operator });

    const timeoutMs = args.timeoutMinutes * 60_000;
    // The wait can take minutes: say what it waits for, in Pulumi's log, not silence.
    const onProgress = (progress: CalicoProgress): void => {
      pulumi.log.info(
        `waiting for Calico (${formatDuration(progress.elapsedMs)} of ${formatDuration(progress.timeoutMs)}): ${progress.waitingFor.join("; ")}`,
        this,
      );
    };
    // Derived from the secret kubeconfig but revealing nothing of it, so not itself a secret.
    this.ready = pulumi.unsecret(
      pulumi
        .all([args.kubeconfig, this.installation.id, this.apiServer.id])
        .apply(([kubeconfig]) =>
          pulumi.runtime.isDryRun()
            ? {}
            : args.waitForCalico(kubeconfig, { components: READY_COMPONENTS, timeoutMs, onProgress }),
        ),
    );
    this.registerOutputs({ ready: this.ready });
  }
}
