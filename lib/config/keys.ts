// The lab's stack configuration: every key, its type and its default (validation: config.ts).
export const CONFIG_NAMESPACE = "calico-ipam";

import type { CalicoInstall, ClusterIpFamily, Encapsulation, NatOutgoing, PoolSettings, Target } from "../core/types";
import { DEFAULT_KUBERNETES_VERSION } from "../core/versions";
export type { AssignmentMode, CalicoInstall, ClusterIpFamily, Encapsulation, NatOutgoing, PoolSettings, Target } from "../core/types";

/** `ipamConfig`: the cluster's `default` IPAMConfiguration (projectcalico.org/v3). */
export interface IpamConfigSettings {
  /** true: a node never takes addresses from another node's block (no borrowing). */
  strictAffinity: boolean;
  /** Blocks a node may hold; 0 is Calico's default, a limit of 20. */
  maxBlocksPerHost: number;
}

/** `workloads[]`: a Deployment of pause pods, to make IPAM hand out addresses. */
export interface WorkloadConfig {
  name: string;
  namespace: string;
  replicas: number;
  /** Pools the pods ask for by name (pod annotation); empty: the namespace's or the nodes' pools. */
  pools: string[];
  /** Pin every pod to this node. */
  node?: string;
  /** Any new value restarts the pods, as `kubectl rollout restart` would. */
  rollout?: string;
}

export interface LabConfig {
  /** Where the lab lives: an EC2 host, this machine's Docker, or a cluster the user already has. */
  target: Target;
  /** containerlab lab name and kind cluster name. */
  labName: string;
  instanceType: string;
  rootVolumeGb: number;
  vpcCidr: string;
  /** Undefined: detect the caller's public IPv4 at run time (target aws only). */
  allowedCidrs?: string[];
  allowOpenIngress: boolean;
  /** Undefined: generate an ED25519 key pair. */
  sshPublicKey?: string;
  /** The cluster's Kubernetes version (and the host's kubectl). */
  kubernetesVersion: string;
  /** kindest/node image by digest: the nodeImage key, else kind's published image for kubernetesVersion. */
  nodeImage: string;
  workers: number;
  calicoVersion: string;
  /** The cluster's IPv4 pod range (kind's podSubnet); every IPv4 pool lies inside it. */
  podCidr: string;
  serviceCidr: string;
  /** `ipv4`, or `dual`: kind's dual-stack networking and an IPv6 pool beside the IPv4 ones. */
  ipFamily: ClusterIpFamily;
  /** ipFamily dual: the IPv6 halves of kind's podSubnet and serviceSubnet. */
  podCidrV6?: string;
  serviceCidrV6?: string;
  /** Every pool the Installation declares: from `pools`, or the one pool the single-pool keys describe. */
  pools: PoolSettings[];
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: NatOutgoing;
  nodeSelector: string;
  calicoTimeoutMinutes: number;
  ipamProbe: boolean;
  /** Undefined: the cluster keeps Calico's own IPAM configuration. */
  ipamConfig?: IpamConfigSettings;
  /** Labels of each worker node, in node order (worker, worker2, ...). */
  workerLabels: Record<string, string>[];
  /** Namespaces the lab creates, with the pools their pods take (namespace annotation). */
  namespaces: Record<string, { pools: string[] }>;
  workloads: WorkloadConfig[];
  /** target existing: kubeconfig contents (a secret config value) ... */
  kubeconfig?: string;
  /** ... or a path to a kubeconfig file. */
  kubeconfigPath?: string;
  /** What this stack installs and owns of Calico (only target existing may choose less than the operator). */
  calicoInstall: CalicoInstall;
  /** Tells this stack from others of the same name on one cluster (lib/cluster/existing-objects.ts stackIdentity). */
  stackId?: string;
}

export const DEFAULTS = {
  target: "aws",
  labName: "calico-ipam",
  instanceType: "t3.xlarge",
  rootVolumeGb: 50,
  vpcCidr: "10.0.0.0/16",
  allowOpenIngress: false,
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
  workers: 2,
  calicoVersion: "v3.30.7",
  podCidr: "192.168.0.0/16",
  serviceCidr: "10.96.0.0/16",
  blockSize: 26,
  encapsulation: "VXLANCrossSubnet",
  natOutgoing: "Enabled",
  nodeSelector: "all()",
  calicoTimeoutMinutes: 15,
  ipamProbe: true,
  calicoInstall: "operator",
  ipFamily: "ipv4",
} as const satisfies Partial<LabConfig>;

/** Every key the lab reads, so a typo (`blocksize`) is reported instead of silently ignored. */
export const CONFIG_KEYS = [
  "target", "labName", "instanceType", "rootVolumeGb", "vpcCidr", "allowedCidrs", "allowOpenIngress",
  "sshPublicKey", "kubernetesVersion", "nodeImage", "workers", "calicoVersion", "podCidr", "serviceCidr", "blockSize",
  "encapsulation", "natOutgoing", "nodeSelector", "calicoTimeoutMinutes", "ipamProbe", "kubeconfig",
  "kubeconfigPath", "calicoInstall", "ipFamily", "pools", "ipamConfig", "workerLabels", "namespaces", "workloads",
  "stackId",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Config values as the stack holds them: strings (objects and lists as JSON), keyed without namespace. */
export type RawConfig = Partial<Record<string, string>>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(
      `calico-ipam: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export const TARGETS = ["aws", "local", "existing"] as const satisfies readonly Target[];
export const ENCAPSULATIONS = ["VXLANCrossSubnet", "VXLAN", "IPIPCrossSubnet", "IPIP", "None"] as const satisfies readonly Encapsulation[];
export const NAT_OUTGOING = ["Enabled", "Disabled"] as const satisfies readonly NatOutgoing[];
export const CALICO_INSTALLS = ["operator", "installation", "none"] as const satisfies readonly CalicoInstall[];

/** Networks on the lab host (kind's docker network, containerlab's management network). */
export const HOST_NETWORKS = [
  { cidr: "172.18.0.0/16", what: "the docker network kind puts its node containers on" },
  { cidr: "172.20.20.0/24", what: "containerlab's management network" },
] as const;

/** Ranges no pod or service may use, wherever the cluster runs. */
