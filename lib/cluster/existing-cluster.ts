// Facts about a cluster the user already has (target existing), read before anything is declared,
// and what they allow: the stack must never take over, or let the engine delete, Calico it does not own.
import { parseDocument } from "yaml";
import { cidrContains, parseCidr, type Cidr } from "../core/cidr";
import type { CalicoInstall } from "../core/types";
import { connect, getObject, KubeClients, KubeReadError } from "../core/kube";
import { readExistingObjects, sameNameHint, type FoundObject, type LabObject } from "./existing-objects";

/** The ConfigMap in which a stack records that it manages Calico on this cluster, and how much of it. */
export const OWNER_RECORD = { namespace: "kube-system", name: "calico-ipam-owner" } as const;

export interface CalicoOwner {
  /** The identity of the stack that wrote the record (existing-objects.ts stackIdentity). */
  stack: string;
  /** "none" writes nothing, so it never writes the record either. */
  calicoInstall: "operator" | "installation";
}

export interface ExistingClusterFacts {
  /** networking.podSubnet from kube-system/kubeadm-config, when the cluster was made by kubeadm. */
  kubeadmPodSubnet?: string;
  /** Does the cluster already run the Tigera operator (namespace tigera-operator)? */
  operatorInstalled: boolean;
  /** The owner record, when a calico-ipam stack manages Calico here. */
  owner?: CalicoOwner;
  /** The objects asked about that the cluster already has (lib/cluster/existing-objects.ts). */
  existing?: FoundObject[];
}

/** Reads the facts, and which of `objects` (what the lab would create) the cluster already has. */
export type InspectCluster = (kubeconfig: string, objects: LabObject[]) => Promise<ExistingClusterFacts>;

const KEY = "calico-ipam:calicoInstall";
const RANK: Record<CalicoInstall, number> = { none: 0, installation: 1, operator: 2 };
/** What the engine deletes when a stack that made these stops declaring them. */
const LOST_WITH: Record<"operator" | "installation", string> = {
  operator: "the Tigera operator and Calico's CRDs, and with the CRDs every IP pool, block and affinity",
  installation: "the Installation and APIServer, and the operator then removes Calico from every node",
};

/**
 * Does `choice` fit the cluster? The choice is persistent config, never inferred from the cluster:
 * a stack that inferred it would stop declaring, and so delete, the operator it installed itself.
 */
export function calicoInstallProblem(choice: CalicoInstall, facts: ExistingClusterFacts, thisStack: string): string | undefined {
  const owner = facts.owner;
  const ours = owner?.stack === thisStack;
  if (owner && !ours && choice !== "none") {
    return `${KEY} is "${choice}", but Calico on this cluster is managed by the calico-ipam stack "${owner.stack}" ` +
      `(${OWNER_RECORD.namespace}/${OWNER_RECORD.name}); two stacks would fight over one Installation. Use that stack, ` +
      `or set ${KEY} to none to only read IPAM.${sameNameHint(owner.stack, thisStack)}`;
  }
  if (owner && ours && RANK[choice] < RANK[owner.calicoInstall]) {
    return `${KEY} is "${choice}", but this stack installed Calico with "${owner.calicoInstall}": the next up would delete ` +
      `${LOST_WITH[owner.calicoInstall]}. Set ${KEY} back to ${owner.calicoInstall}, or run npm run destroy to remove Calico on purpose.`;
  }
  const operatorIsOurs = ours && owner?.calicoInstall === "operator";
  if (choice === "operator" && facts.operatorInstalled && !operatorIsOurs) {
    return `${KEY} is "operator" (the default), but this cluster already runs a Tigera operator that this stack did not install ` +
      `(namespace tigera-operator): the stack would take it over and delete it on destroy. Set ${KEY} to installation ` +
      `to keep it and manage only the lab's Installation and APIServer, or to none to only read IPAM.`;
  }
  if (choice === "installation" && !facts.operatorInstalled) {
    return `${KEY} is "installation", but this cluster runs no Tigera operator (no namespace tigera-operator) to act on ` +
      `the Installation. Set ${KEY} to operator so the stack installs it.`;
  }
  return undefined;
}

/**
 * kubeadm keeps its ClusterConfiguration as YAML text under this key of the ConfigMap. Anything odd
 * there (not YAML, podSubnet not a string) is a problem of that ConfigMap, said in one line.
 */
export function podSubnetFromKubeadmConfig(clusterConfiguration: string): string | undefined {
  const doc = parseDocument(clusterConfiguration);
  const where = "kube-system/kubeadm-config's ClusterConfiguration";
  if (doc.errors.length > 0) {
    const at = doc.errors[0].linePos?.[0];
    throw new Error(`calico-ipam: ${where} is not valid YAML (${doc.errors[0].code.toLowerCase().replace(/_/g, " ")}${at ? ` at line ${at.line}` : ""})`);
  }
  const networking = (doc.toJS() as { networking?: { podSubnet?: unknown } } | null)?.networking;
  const podSubnet = typeof networking === "object" && networking !== null ? networking.podSubnet : undefined;
  if (podSubnet === undefined || podSubnet === null || podSubnet === "") return undefined;
  if (typeof podSubnet !== "string") {
    throw new Error(`calico-ipam: ${where} has a networking.podSubnet that is not a CIDR string (a ${Array.isArray(podSubnet) ? "list" : typeof podSubnet}); fix the ConfigMap or use a cluster made by kubeadm`);
  }
  return podSubnet;
}

/** A network as kubeadm's Go parser reads it: host bits are allowed there and dropped. */
function network(text: string): Cidr | undefined {
  const parsed = parseCidr(text.trim());
  if (parsed.ok) return parsed.cidr;
  const canonical = parsed.suggestion ? parseCidr(parsed.suggestion) : undefined;
  return canonical?.ok ? canonical.cidr : undefined;
}

/**
 * The operator refuses a pool outside kubeadm's podSubnet, in a TigeraStatus nobody reads; say it now.
 * kubeadm's podSubnet may list an IPv4 and an IPv6 range, comma-separated.
 */
export function podCidrProblem(podCidr: string, facts: ExistingClusterFacts): string | undefined {
  if (facts.kubeadmPodSubnet === undefined) return undefined;
  const pool = network(podCidr);
  const subnets = facts.kubeadmPodSubnet.split(",").map(network);
  if (pool && subnets.some((subnet) => subnet && cidrContains(subnet, pool))) return undefined;
  return (
    `calico-ipam:podCidr is "${podCidr}", but this cluster's kubeadm podSubnet is "${facts.kubeadmPodSubnet}" ` +
    `(kube-system/kubeadm-config): the Tigera operator would refuse the pool. Set calico-ipam:podCidr to a range inside it.`
  );
}

function ownerFrom(data: Record<string, unknown> | undefined): CalicoOwner | undefined {
  const install = data?.calicoInstall;
  if (typeof data?.stack !== "string" || (install !== "operator" && install !== "installation")) return undefined;
  return { stack: data.stack, calicoInstall: install };
}

const CONFIGMAPS = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap" };
const NAMESPACES = { group: "", version: "v1", plural: "namespaces", kind: "Namespace" };

export const inspectExistingCluster: InspectCluster = async (kubeconfig, objects) => {
  let clients: KubeClients;
  try {
    clients = connect(kubeconfig);
  } catch (err) {
    throw new Error(`calico-ipam:kubeconfig: ${(err as Error).message}`);
  }
  try {
    const kubeadm = await getObject<{ data?: Record<string, unknown> }>(clients, CONFIGMAPS, "kubeadm-config", "kube-system");
    const operatorNamespace = await getObject(clients, NAMESPACES, "tigera-operator");
    const owner = await getObject<{ data?: Record<string, unknown> }>(clients, CONFIGMAPS, OWNER_RECORD.name, OWNER_RECORD.namespace);
    const existing = await readExistingObjects(clients, objects);
    const clusterConfiguration = kubeadm?.data?.ClusterConfiguration;
    return {
      kubeadmPodSubnet: typeof clusterConfiguration === "string" ? podSubnetFromKubeadmConfig(clusterConfiguration) : undefined,
      operatorInstalled: operatorNamespace !== undefined,
      owner: ownerFrom(owner?.data),
      existing,
    };
  } catch (err) {
    // The kind stays: a read-only stack may go on without kube-system (lab.ts).
    if (err instanceof KubeReadError) throw new KubeReadError(err.kind, `calico-ipam: ${err.message}`);
    throw err;
  }
};
