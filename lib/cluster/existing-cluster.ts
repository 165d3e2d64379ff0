// Facts about a cluster the user already has (target existing), read before anything is declared.
import { parseDocument } from "yaml";
import { cidrContains, parseCidr, type Cidr } from "../core/cidr";
import { connect, getObject, KubeClients, KubeReadError } from "../core/kube";

export interface ExistingClusterFacts {
  /** networking.podSubnet from kube-system/kubeadm-config, when the cluster was made by kubeadm. */
  kubeadmPodSubnet?: string;
  /** Does the cluster already run the Tigera operator (namespace tigera-operator)? */
  operatorInstalled: boolean;
}

export type InspectCluster = (kubeconfig: string) => Promise<ExistingClusterFacts>;

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

const CONFIGMAPS = { group: "", version: "v1", plural: "configmaps" };
const NAMESPACES = { group: "", version: "v1", plural: "namespaces" };

export const inspectExistingCluster: InspectCluster = async (kubeconfig) => {
  let clients: KubeClients;
  try {
    clients = connect(kubeconfig);
  } catch (err) {
    throw new Error(`calico-ipam:kubeconfig: ${(err as Error).message}`);
  }
  try {
    const kubeadm = await getObject<{ data?: Record<string, unknown> }>(clients, CONFIGMAPS, "kubeadm-config", "kube-system");
    const operatorNamespace = await getObject(clients, NAMESPACES, "tigera-operator");
    const clusterConfiguration = kubeadm?.data?.ClusterConfiguration;
    return {
      kubeadmPodSubnet: typeof clusterConfiguration === "string" ? podSubnetFromKubeadmConfig(clusterConfiguration) : undefined,
      operatorInstalled: operatorNamespace !== undefined,
    };
  } catch (err) {
    if (err instanceof KubeReadError) throw new Error(`calico-ipam: ${err.message}`);
    throw err;
  }
};
