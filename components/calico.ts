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
  /** The Installation's uid those seconds count from: a new one is a new install (components/cluster-timings.ts). */
  installationUid?: string;
}

export type WaitForCalico = (
  kubeconfig: string,
  options: { components: readonly string[]; timeoutMs: number; onProgress: (progress: CalicoProgress) => void },
) => Promise<CalicoReadiness>;

/** How the Kubernetes provider treats the cluster; see lab.ts for why each target sets what it sets. */
export interface ClusterProviderOptions {
  /** Forget the cluster's objects when it cannot be reached (the cluster went with its host). */
  deleteUnreachable: boolean;
  /** The provider is replaced, and with it every object, only when this changes (a new cluster). */
  clusterIdentifier?: pulumi.Input<string>;
}

/** The record of what this stack owns on a cluster it did not create (lib/cluster/existing-cluster.ts). */
export interface OwnerRecordArgs {
  namespace: string;
  name: string;
  data: Record<string, string>;
}

export interface CalicoArgs {
  /** Admin kubeconfig of the cluster (secret). */
  kubeconfig: pulumi.Input<string>;
  calicoVersion: string;
  /** Every pool of the Installation, in order (resolves once the pool change is known to be accepted). */
  pools: pulumi.Input<PoolSettings[]>;
  timeoutMinutes: number;
  /** "operator": install the Tigera operator too; "installation": the cluster already runs it. */
  install: "operator" | "installation";
  provider: ClusterProviderOptions;
  /** Written before anything else on a cluster the user brought, so a later run knows what is ours. */
  ownerRecord?: OwnerRecordArgs;
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
      // Since v4.29 (pulumi-kubernetes PR #4278) a create is a plain create: an object already in the
      // cluster (an Installation the user made, or ours after a refresh dropped it from state) fails
      // with AlreadyExists unless the provider upserts (provider.go Configure, upsertExistingObjects).
      upsertExistingObjects: true,
      deleteUnreachable: args.provider.deleteUnreachable,
      clusterIdentifier: args.provider.clusterIdentifier,
    }, { parent: this });
    const inCluster: pulumi.CustomResourceOptions = { parent: this, provider: this.provider, deletedWith: args.deletedWith };

    const owned: pulumi.Resource[] = [];
    if (args.ownerRecord) {
      const { namespace, name: recordName, data } = args.ownerRecord;
      owned.push(new k8s.core.v1.ConfigMap(`${name}-owner`, { metadata: { namespace, name: recordName }, data }, inCluster));
    }
    const operator: pulumi.Resource[] = [...owned];
    if (args.install === "operator") {
      // Since v3.30 the CRDs ship apart from the operator. Server-side apply (the provider's default)
      // is required: the Installation CRD alone is too big for client-side apply's annotation.
      const crds = new k8s.yaml.v2.ConfigFile(`${name}-operator-crds`, {
        file: calicoManifestUrl(args.calicoVersion, "operator-crds.yaml"),
      }, { ...inCluster, dependsOn: owned });
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
      spec: pulumi.output(args.pools).apply(installationSpec),
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
        .apply(async ([kubeconfig]) => {
          if (!pulumi.runtime.isDryRun()) {
            try {
              return await args.waitForCalico(kubeconfig, { components: READY_COMPONENTS, timeoutMs, onProgress });
            } catch (err) {
              throw new pulumi.RunError(`calico-ipam: ${(err as Error).message}`);
            }
          }
          // A preview looks once, without waiting: a running lab then previews the readiness it
          // has (the `timings` output shows what the stack kept: components/cluster-timings.ts).
          return args.waitForCalico(kubeconfig, { components: READY_COMPONENTS, timeoutMs: 0, onProgress: () => undefined })
            .catch((): CalicoReadiness => ({}));
        }),
    );
    this.registerOutputs({ ready: this.ready });
  }
}
