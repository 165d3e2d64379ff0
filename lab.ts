// The whole lab from a validated config: host -> cluster -> Calico -> IPAM -> outputs.
// Everything that talks to the outside world before resources exist arrives through LabDeps,
// so tests build the real program per config with no network.
import * as pulumi from "@pulumi/pulumi";
import { LabConfig } from "./lib/config";
import { IpPlan, KUBELET_DEFAULT_MAX_PODS, planIp } from "./lib/ipam/plan";
import { renderCloudInit } from "./lib/host/cloud-init";
import type { PoolSettings } from "./lib/core/types";
import { API_SERVER_PORT } from "./lib/core/types";
import { ClusterShape } from "./lib/cluster/topology";
import {
  calicoInstallProblem, ExistingClusterFacts, InspectCluster, OWNER_RECORD, podCidrProblem,
} from "./lib/cluster/existing-cluster";
import { stackIdentity, takeoverProblem, type LabObject } from "./lib/cluster/existing-objects";
import { PROBE_OBJECT } from "./lib/ipam/probe";
import { KubeReadError } from "./lib/core/kube";
import { currentContextOnly } from "./lib/core/kube-config";
import { LocalHostProbe, localPreflight, stoppedLabNodesProblem } from "./lib/host/preflight";
import { sshAgentProblem } from "./lib/host/ssh-agent";
import { LabHost, SSH_USER } from "./components/host";
import { LabCluster } from "./components/cluster";
import { localTransport } from "./components/transport";
import { Calico, ClusterProviderOptions, OwnerRecordArgs, WaitForCalico } from "./components/calico";
import { Ipam, ReadIpamState } from "./components/ipam";
import { IpamProbe, ReadIpamProbeTimings } from "./components/ipam-probe";
import { ClusterTimings } from "./components/cluster-timings";
import { checkPoolChanges, Experiments, ReadLivePools, ReadWorkloads } from "./components/experiments";
import { experimentObjects, labNamespaces, labNodeLabels, labWorkloads } from "./lib/ipam/workloads";
import { stackSummary } from "./lib/ipam/stack-summary";

export interface LabDeps {
  /** The caller's public IPv4 (target aws, when allowedCidrs is not set). */
  detectPublicIp(): Promise<string>;
  /** SSH_AUTH_SOCK of the shell running pulumi (only checked, never stored: see lib/host/ssh-agent.ts). */
  sshAgentSocket?: string;
  /** Does an ssh-agent answer on that socket? */
  sshAgentAnswers(socket: string): Promise<boolean>;
  /** Tools on this machine (target local). */
  localHost: LocalHostProbe;
  /** Reads kubeconfigPath (target existing). */
  readFile(path: string): string;
  /** Facts about a cluster the user already has (target existing). */
  inspectCluster: InspectCluster;
  waitForCalico: WaitForCalico;
  readIpamState: ReadIpamState;
  readIpamProbeTimings: ReadIpamProbeTimings;
  readWorkloads: ReadWorkloads;
  readLivePools: ReadLivePools;
}

export type LabOutputs = Record<string, pulumi.Output<unknown>>;

/** What the stack installs of Calico on the cluster, and how it treats the cluster. */
interface CalicoPlan {
  install: "operator" | "installation";
  provider: ClusterProviderOptions;
  ownerRecord?: OwnerRecordArgs;
}

/** Where the cluster comes from: a kubeconfig, and the resource whose deletion takes the cluster along. */
interface ClusterSource {
  kubeconfig: pulumi.Output<string>;
  deletedWith?: pulumi.Resource;
  /** Undefined: the stack only reads the cluster (calicoInstall none). */
  calico?: CalicoPlan;
  outputs: LabOutputs;
  /** Stage timings measured on the host and the cluster, merged into the `timings` output. */
  timings: pulumi.Output<Record<string, number>>[];
}

/**
 * Stops the program with a message meant for the user. Pulumi's Node runtime prints a RunError's
 * message alone, and any other error with its stack (sdk/nodejs/cmd/run/run.ts, uncaughtHandler).
 */
function stop(message: string): never {
  throw new pulumi.RunError(message);
}

/** A pool's plan for the lab: one control plane plus the workers, at the kubelet's default pod limit. */
export function ipPlanFor(config: LabConfig, pool: PoolSettings = config.pools[0]): IpPlan {
  return planIp({
    poolCidr: pool.cidr,
    blockSize: pool.blockSize,
    nodes: config.workers + 1,
    podsPerNode: KUBELET_DEFAULT_MAX_PODS,
    tunnelAddressPerNode: pool.encapsulation !== "None",
  });
}

/** What the owner record and the stack's namespaces and Deployments name as their maker. */
function madeBy(config: LabConfig): string {
  return stackIdentity(pulumi.getProject(), pulumi.getStack(), config.stackId);
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
    ...(config.podCidrV6 && config.serviceCidrV6 ? { dualStack: { podCidr: config.podCidrV6, serviceCidr: config.serviceCidrV6 } } : {}),
    workerLabels: config.workerLabels,
    apiServer,
  };
}

function clusterOutputs(cluster: LabCluster, kubeconfig: pulumi.Output<string>): LabOutputs {
  return { kubeconfig, clusterName: cluster.clusterName, nodes: cluster.nodes };
}

/**
 * How to log in to the host by hand: the key file is created private (umask 077, never an old
 * file reused), and the host key the program pinned is the only one ssh accepts.
 */
export function sshCommand(ip: string, hostKey: string, generatedKey: boolean): string {
  const known = `echo '${ip} ${hostKey}' > calico-ipam.known_hosts`;
  const key = "(umask 077 && rm -f calico-ipam.key && npm run -s pulumi -- stack output sshPrivateKey --show-secrets > calico-ipam.key)";
  const login = `ssh ${generatedKey ? "-i calico-ipam.key " : ""}-o UserKnownHostsFile=calico-ipam.known_hosts ${SSH_USER}@${ip}`;
  return [...(generatedKey ? [key] : []), known, login].join(" && ");
}

/** A cluster the stack builds goes with its machine: nothing inside it is deleted one by one. */
function ownClusterCalico(cluster: LabCluster): CalicoPlan {
  return {
    install: "operator",
    // The provider, and every object in the cluster with it, is replaced only with the cluster. An
    // unknown kubeconfig in a preview (a rule or the read step changing) would otherwise plan a
    // replacement of everything (pulumi-kubernetes provider.go DiffConfig: a computed kubeconfig
    // "replaces" unless clusterIdentifier is set and unchanged).
    provider: { deleteUnreachable: true, clusterIdentifier: cluster.deployment.id },
  };
}

async function awsCluster(config: LabConfig, deps: LabDeps): Promise<ClusterSource> {
  const socket = deps.sshAgentSocket || undefined;
  const agentProblem = sshAgentProblem({
    userKey: config.sshPublicKey !== undefined,
    socket,
    answers: socket !== undefined && (await deps.sshAgentAnswers(socket)),
  });
  if (agentProblem) stop(agentProblem);
  const allowedCidrs = config.allowedCidrs ?? [`${await deps.detectPublicIp()}/32`];
  const toolVersions = { kubernetesVersion: config.kubernetesVersion, calicoVersion: config.calicoVersion };
  const host = new LabHost("host", {
    labName: config.labName,
    instanceType: config.instanceType,
    rootVolumeGb: config.rootVolumeGb,
    vpcCidr: config.vpcCidr,
    allowedCidrs,
    sshPublicKey: config.sshPublicKey,
    userData: (sshHostKey) => renderCloudInit({ ...toolVersions, nodeImage: config.nodeImage }, sshHostKey),
    toolVersions,
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
    // Terminating the instance removes the cluster: destroy must not dial a host that may be gone.
    deletedWith: host.instance,
  });
  // Nothing may talk to the API server before the rules admitting this caller exist. A rule that
  // changes (a new address) makes this kubeconfig unknown in the preview, so the Kubernetes provider
  // is not configured against a cluster it cannot reach yet (pulumi-kubernetes provider_construct.go
  // Construct refuses an unreachable cluster outright), and resolves, unchanged, once the rule is in.
  const kubeconfig = pulumi.secret(
    pulumi.all([cluster.kubeconfig, ...host.apiAccess.map((rule) => rule.id)]).apply(([config]) => config),
  );
  const outputs: LabOutputs = {
    ...clusterOutputs(cluster, kubeconfig),
    publicIp: host.publicIp,
    sshHostKey: host.sshHostKey,
    sshCommand: pulumi.all([host.publicIp, host.sshHostKey]).apply(([ip, hostKey]) => sshCommand(ip, hostKey, host.sshPrivateKey !== undefined)),
  };
  if (host.sshPrivateKey) outputs.sshPrivateKey = host.sshPrivateKey;
  return {
    kubeconfig,
    deletedWith: cluster.deployment,
    calico: ownClusterCalico(cluster),
    outputs,
    timings: [host.timings, cluster.timings],
  };
}

function localCluster(config: LabConfig, deps: LabDeps): ClusterSource {
  const missing = localPreflight(deps.localHost, config.ipFamily);
  if (missing) stop(missing);
  const stopped = stoppedLabNodesProblem(deps.localHost, config.labName);
  if (stopped) stop(stopped);
  const cluster = new LabCluster("cluster", {
    transport: localTransport(),
    shape: clusterShape(config, { exposure: "loopback" }),
    blockSize: config.blockSize,
  });
  return {
    kubeconfig: cluster.kubeconfig,
    deletedWith: cluster.deployment,
    calico: ownClusterCalico(cluster),
    outputs: clusterOutputs(cluster, cluster.kubeconfig),
    timings: [cluster.timings],
  };
}

/** The user's kubeconfig, cut to its current context; errors name the key, never the contents. */
function userKubeconfig(config: LabConfig, deps: LabDeps): string {
  const key = config.kubeconfig !== undefined ? "calico-ipam:kubeconfig" : "calico-ipam:kubeconfigPath";
  let text = config.kubeconfig;
  if (text === undefined) {
    try {
      text = deps.readFile(config.kubeconfigPath!);
    } catch (err) {
      stop(`${key} is "${config.kubeconfigPath}", which cannot be read (${(err as Error).message}); give the full path of a readable kubeconfig file`);
    }
  }
  try {
    return currentContextOnly(text);
  } catch (err) {
    // The same words `npm run ipam` prints for the same file (lib/core/kube-config.ts).
    return stop(`${key}: ${(err as Error).message}`);
  }
}

async function existingCluster(config: LabConfig, deps: LabDeps): Promise<ClusterSource> {
  const kubeconfig = userKubeconfig(config, deps);
  // What the stack would create in the cluster (nothing with none): each must be new, or its own.
  const creates: LabObject[] = config.calicoInstall === "none" ? [] : [...(config.ipamProbe ? [PROBE_OBJECT] : []), ...experimentObjects(config)];
  let facts: ExistingClusterFacts | undefined;
  try {
    facts = await deps.inspectCluster(kubeconfig, creates);
  } catch (err) {
    // Read-only credentials may not read kube-system: nothing is written then, so nothing needs guarding.
    const readOnly = config.calicoInstall === "none" && err instanceof KubeReadError && err.kind === "forbidden";
    if (!readOnly) stop((err as Error).message);
  }
  const thisStack = madeBy(config);
  if (!config.stackId && config.calicoInstall !== "none") {
    pulumi.log.warn(`calico-ipam:stackId is not set: this stack marks what it makes in the cluster as "${thisStack}", as any ` +
      `other lab of that name would, so a second such lab on this cluster would take them as its own. Before this stack's ` +
      `first up here, give it an id no other lab uses: npm run pulumi -- config set calico-ipam:stackId <your-name>-lab ` +
      `(npm run up sets one on the stacks it creates). A stack that made objects here already keeps them only without one.`);
  }
  const problem =
    (facts && calicoInstallProblem(config.calicoInstall, facts, thisStack)) ||
    (facts && config.calicoInstall !== "none" ? podCidrProblem(config.podCidr, facts) : undefined) ||
    (facts ? takeoverProblem(creates, facts.existing ?? [], thisStack, facts.owner?.stack === thisStack) : undefined);
  if (problem) stop(problem);
  const install = config.calicoInstall;
  return {
    kubeconfig: pulumi.secret(kubeconfig),
    calico:
      install === "none"
        ? undefined
        : {
            install,
            // Forgetting a user's objects because their cluster cannot be reached would be wrong: fail instead.
            // A new CA, server address or context in the kubeconfig must not replace the provider, and
            // with it every object, the operator's CRDs included (pulumi-kubernetes provider.go
            // DiffConfig: an unchanged clusterIdentifier keeps it). Moving to another cluster: destroy first.
            provider: { deleteUnreachable: false, clusterIdentifier: `existing:${pulumi.getProject()}/${pulumi.getStack()}` },
            ownerRecord: { ...OWNER_RECORD, data: { stack: thisStack, calicoInstall: install } },
          },
    // The user's own kubeconfig is not handed back out: they have it already.
    outputs: {},
    timings: [],
  };
}

export async function buildLab(config: LabConfig, deps: LabDeps): Promise<LabOutputs> {
  const plans = config.pools.map((pool) => ({ pool: pool.name, ...ipPlanFor(config, pool) }));
  // A pool for some nodes only is planned as if every node used it: its warnings would mostly be noise.
  for (const [i, plan] of plans.entries()) {
    if (config.pools[i].nodeSelector !== "all()") continue;
    for (const warning of plan.warnings) pulumi.log.warn(`calico-ipam IP plan${plans.length > 1 ? ` of pool ${plan.pool}` : ""}: ${warning}`);
  }

  const source =
    config.target === "aws"
      ? await awsCluster(config, deps)
      : config.target === "local"
        ? localCluster(config, deps)
        : await existingCluster(config, deps);

  // A read-only stack (calicoInstall none) declares no pools: nothing to check.
  const pools = source.calico ? checkPoolChanges(source.kubeconfig, config.pools, deps.readLivePools) : undefined;
  const calico = source.calico && pools
    ? new Calico("calico", {
        kubeconfig: source.kubeconfig,
        calicoVersion: config.calicoVersion,
        pools: pools.pools,
        timeoutMinutes: config.calicoTimeoutMinutes,
        ...source.calico,
        deletedWith: source.deletedWith,
        waitForCalico: deps.waitForCalico,
      })
    : undefined;
  // The probe and the experiments write to the cluster: only where the stack installs Calico (not read-only).
  const probe = calico && config.ipamProbe
    ? new IpamProbe("ipam-probe", {
        provider: calico.provider,
        kubeconfig: source.kubeconfig,
        calicoReady: calico.ready,
        deletedWith: source.deletedWith,
        readProbeTimings: deps.readIpamProbeTimings,
        madeBy: madeBy(config),
      })
    : undefined;
  const experiments = calico
    ? new Experiments("experiments", {
        provider: calico.provider,
        kubeconfig: source.kubeconfig,
        calicoReady: calico.ready,
        workloadsReady: probe ? probe.ready : calico.ready,
        ipamConfig: config.ipamConfig,
        nodeLabels: labNodeLabels(config),
        namespaces: labNamespaces(config),
        workloads: labWorkloads(config),
        deletedWith: source.deletedWith,
        readWorkloads: deps.readWorkloads,
        madeBy: madeBy(config),
      })
    : undefined;
  const ipam = new Ipam("ipam", {
    kubeconfig: source.kubeconfig,
    // After the probe and the workloads settle, so the read shows the blocks they made nodes claim.
    readAfter: [calico?.ready, probe?.ready, experiments?.settled].filter((o): o is pulumi.Output<unknown> => o !== undefined),
    readState: deps.readIpamState,
  });
  // The cluster stages, kept as first read for this install: the cluster's timestamps move later.
  const clusterTimings = calico
    ? [new ClusterTimings("cluster-timings", {
        reading: pulumi.all([calico.ready, probe?.timings ?? {}]).apply(([ready, probed]) => ({ ...ready.timings, ...probed })),
        installationUid: calico.ready.apply((r) => r.installationUid),
        installation: calico.installation,
      }).timings]
    : [];
  // What the stack installed; a read-only stack installed nothing (the ipam output shows the cluster's pools).
  const installed: LabOutputs = calico
    ? { calicoVersion: pulumi.output(config.calicoVersion), ipPools: pulumi.output(config.pools) }
    : {};

  return {
    ...source.outputs,
    ...installed,
    ipPlan: pulumi.output(plans),
    ...(pools && experiments ? { poolChanges: pools.changes, workloads: experiments.workloads } : {}),
    timings: pulumi.all([...source.timings, ...clusterTimings]).apply((parts) => Object.assign({}, ...parts) as Record<string, number>),
    blockAffinities: ipam.state.apply((s) => s.blockAffinities),
    ipam: ipam.state.apply((s) => s.ipam),
    tigeraStatus: ipam.state.apply((s) => s.tigeraStatus),
    // The one line `npm run up` ends with; everything above stays for `stack output`.
    summary: ipam.state.apply((s) => stackSummary(config, s.ipam)),
  };
}
