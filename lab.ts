// The whole lab from a validated config: host -> cluster -> Calico -> IPAM -> outputs.
// Everything that talks to the outside world before resources exist arrives through LabDeps,
// so tests build the real program per config with no network.
import * as pulumi from "@pulumi/pulumi";
import { LabConfig } from "./lib/config";
import { IpPlan, KUBELET_DEFAULT_MAX_PODS, planIp } from "./lib/ipam/plan";
import { renderCloudInit } from "./lib/host/cloud-init";
import { DEFAULT_POOL_NAME, PoolSettings } from "./lib/calico/resources";
import { API_SERVER_PORT } from "./lib/core/types";
import { ClusterShape } from "./lib/cluster/topology";
import { ExistingClusterFacts, InspectCluster, podCidrProblem } from "./lib/cluster/existing-cluster";
import { LocalHostProbe, localPreflight } from "./lib/host/preflight";
import { LabHost, SSH_USER } from "./components/host";
import { LabCluster } from "./components/cluster";
import { localTransport } from "./components/transport";
import { Calico, WaitForCalico } from "./components/calico";
import { Ipam, ReadIpamState } from "./components/ipam";

export interface LabDeps {
  /** The caller's public IPv4 (target aws, when allowedCidrs is not set). */
  detectPublicIp(): Promise<string>;
  /** ssh-agent socket for a user-supplied sshPublicKey. */
  sshAgentSocket?: string;
  /** Tools on this machine (target local). */
  localHost: LocalHostProbe;
  /** Reads kubeconfigPath (target existing). */
  readFile(path: string): string;
  /** Facts about a cluster the user already has (target existing). */
  inspectCluster: InspectCluster;
  waitForCalico: WaitForCalico;
  readIpamState: ReadIpamState;
}

export type LabOutputs = Record<string, pulumi.Output<unknown>>;

/** Where the cluster comes from: a kubeconfig, and the resource whose deletion takes the cluster along. */
interface ClusterSource {
  kubeconfig: pulumi.Output<string>;
  deletedWith?: pulumi.Resource;
  installOperator: boolean;
  outputs: LabOutputs;
  /** Stage timings measured on the host and the cluster, merged into the `timings` output. */
  timings: pulumi.Output<Record<string, number>>[];
}

/** The lab's own plan: one control plane plus the workers, at the kubelet's default pod limit. */
export function ipPlanFor(config: LabConfig): IpPlan {
  return planIp({
    poolCidr: config.podCidr,
    blockSize: config.blockSize,
    nodes: config.workers + 1,
    podsPerNode: KUBELET_DEFAULT_MAX_PODS,
    tunnelAddressPerNode: config.encapsulation !== "None",
  });
}

function tagsFor(config: LabConfig): Record<string, string> {
  return { project: "calico-ipam", stack: pulumi.getStack(), lab: config.labName };
}

function clusterShape(config: LabConfig, apiServer: ClusterShape["apiServer"]): ClusterShape {
  return {
    labName: config.labName,
    nodeImage: config.nodeImage,
    workers: config.workers,
    podCidr: config.podCidr,
    serviceCidr: config.serviceCidr,
    apiServer,
  };
}

function clusterOutputs(cluster: LabCluster): LabOutputs {
  return { kubeconfig: cluster.kubeconfig, clusterName: cluster.clusterName, nodes: cluster.nodes };
}

async function awsCluster(config: LabConfig, deps: LabDeps): Promise<ClusterSource> {
  if (config.sshPublicKey !== undefined && !deps.sshAgentSocket) {
    throw new Error(
      "calico-ipam:sshPublicKey is set, so the program logs in with the matching private key from your ssh-agent, " +
        "but SSH_AUTH_SOCK is not set. Start ssh-agent and `ssh-add` the key, or unset calico-ipam:sshPublicKey to use a generated key.",
    );
  }
  const allowedCidrs = config.allowedCidrs ?? [`${await deps.detectPublicIp()}/32`];
  const host = new LabHost("host", {
    labName: config.labName,
    instanceType: config.instanceType,
    rootVolumeGb: config.rootVolumeGb,
    vpcCidr: config.vpcCidr,
    allowedCidrs,
    sshPublicKey: config.sshPublicKey,
    sshAgentSocket: deps.sshAgentSocket,
    userData: renderCloudInit({
      kubernetesVersion: config.kubernetesVersion, calicoVersion: config.calicoVersion, nodeImage: config.nodeImage,
    }),
    tags: tagsFor(config),
  });
  const shape = pulumi
    .all([host.publicIp, host.publicDns])
    .apply(([ip, dns]) => clusterShape(config, { exposure: "public", certSans: [ip, dns] }));
  const cluster = new LabCluster("cluster", {
    transport: host.transport,
    shape,
    blockSize: config.blockSize,
    apiServerUrl: pulumi.interpolate`https://${host.publicIp}:${API_SERVER_PORT}`,
    dependsOn: [host.ready],
    machineId: host.machineId,
  });
  const outputs: LabOutputs = {
    ...clusterOutputs(cluster),
    publicIp: host.publicIp,
    sshCommand: pulumi.interpolate`ssh ${SSH_USER}@${host.publicIp}`,
  };
  if (host.sshPrivateKey) {
    outputs.sshPrivateKey = host.sshPrivateKey;
    outputs.sshCommand = pulumi.interpolate`npm run -s pulumi -- stack output sshPrivateKey --show-secrets > calico-ipam.key && chmod 600 calico-ipam.key && ssh -i calico-ipam.key ${SSH_USER}@${host.publicIp}`;
  }
  return {
    kubeconfig: cluster.kubeconfig,
    deletedWith: cluster.deployment,
    installOperator: true,
    outputs,
    timings: [host.timings, cluster.timings],
  };
}

function localCluster(config: LabConfig, deps: LabDeps): ClusterSource {
  const missing = localPreflight(deps.localHost);
  if (missing) throw new Error(missing);
  const cluster = new LabCluster("cluster", {
    transport: localTransport(),
    shape: clusterShape(config, { exposure: "loopback" }),
    blockSize: config.blockSize,
  });
  return {
    kubeconfig: cluster.kubeconfig,
    deletedWith: cluster.deployment,
    installOperator: true,
    outputs: clusterOutputs(cluster),
    timings: [cluster.timings],
  };
}

function readKubeconfigFile(path: string, deps: LabDeps): string {
  try {
    return deps.readFile(path);
  } catch (err) {
    throw new Error(`calico-ipam:kubeconfigPath is "${path}", which cannot be read (${(err as Error).message}); give the full path of a readable kubeconfig file`);
  }
}

async function existingCluster(config: LabConfig, deps: LabDeps): Promise<ClusterSource> {
  const kubeconfig = config.kubeconfig ?? readKubeconfigFile(config.kubeconfigPath!, deps);
  const facts: ExistingClusterFacts = await deps.inspectCluster(kubeconfig);
  const problem = podCidrProblem(config.podCidr, facts);
  if (problem) throw new Error(problem);
  const secretKubeconfig = pulumi.secret(kubeconfig);
  return {
    kubeconfig: secretKubeconfig,
    installOperator: !facts.operatorInstalled,
    outputs: { kubeconfig: secretKubeconfig },
    timings: [],
  };
}

export async function buildLab(config: LabConfig, deps: LabDeps): Promise<LabOutputs> {
  const plan = ipPlanFor(config);
  for (const warning of plan.warnings) pulumi.log.warn(`calico-ipam IP plan: ${warning}`);

  const source =
    config.target === "aws"
      ? await awsCluster(config, deps)
      : config.target === "local"
        ? localCluster(config, deps)
        : await existingCluster(config, deps);

  const pool: PoolSettings = {
    cidr: config.podCidr,
    blockSize: config.blockSize,
    encapsulation: config.encapsulation,
    natOutgoing: config.natOutgoing,
    nodeSelector: config.nodeSelector,
  };
  const calico = new Calico("calico", {
    kubeconfig: source.kubeconfig,
    calicoVersion: config.calicoVersion,
    pool,
    timeoutMinutes: config.calicoTimeoutMinutes,
    installOperator: source.installOperator,
    deletedWith: source.deletedWith,
    waitForCalico: deps.waitForCalico,
  });
  const ipam = new Ipam("ipam", {
    provider: calico.provider,
    kubeconfig: source.kubeconfig,
    calicoReady: calico.ready,
    probe: config.ipamProbe,
    deletedWith: source.deletedWith,
    readState: deps.readIpamState,
  });

  return {
    ...source.outputs,
    calicoVersion: pulumi.output(config.calicoVersion),
    ipPool: pulumi.output({ name: DEFAULT_POOL_NAME, ...pool }),
    ipPlan: pulumi.output(plan),
    timings: pulumi.all([...source.timings, calico.ready.apply((r) => r.timings ?? {})]).apply((parts) => Object.assign({}, ...parts) as Record<string, number>),
    blockAffinities: ipam.state.apply((s) => s.blockAffinities),
    ipam: ipam.state.apply((s) => s.ipam),
    tigeraStatus: ipam.state.apply((s) => s.tigeraStatus),
  };
}
