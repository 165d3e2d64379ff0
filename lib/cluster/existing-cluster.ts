// Facts about a cluster the user already has (target existing), read before anything is declared.
import { parse } from "yaml";
import { cidrContains, parseCidr, type Cidr } from "../core/cidr";
import { ApiException } from "@kubernetes/client-node";
import { connect, KubeClients, toReadError } from "../core/kube";

export interface ExistingClusterFacts {
  /** networking.podSubnet from kube-system/kubeadm-config, when the cluster was made by kubeadm. */
  kubeadmPodSubnet?: string;
  /** Does the cluster already run the Tigera operator (namespace tigera-operator)? */
  operatorInstalled: boolean;
}

export type InspectCluster = (kubeconfig: string) => Promise<ExistingClusterFacts>;

/** kubeadm keeps its ClusterConfiguration as YAML text under this key of the ConfigMap. */
export function podSubnetFromKubeadmConfig(clusterConfiguration: string): string | undefined {
  const doc = parse(clusterConfiguration) as { networking?: { podSubnet?: string } } | null;
  return doc?.networking?.podSubnet;
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

/** A core object, or undefined when the API answers 404; any other failure is one line. */
async function getOrUndefined<T>(clients: KubeClients, plural: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw new Error(`calico-ipam: ${toReadError(err, clients, { group: "", version: "v1", plural }, "get").message}`);
  }
}

export const inspectExistingCluster: InspectCluster = async (kubeconfig) => {
  let clients: KubeClients;
  try {
    clients = connect(kubeconfig);
  } catch (err) {
    throw new Error(`calico-ipam:kubeconfig ${(err as Error).message}`);
  }
  const kubeadm = await getOrUndefined(clients, "configmaps", () =>
    clients.core.readNamespacedConfigMap({ name: "kubeadm-config", namespace: "kube-system" }),
  );
  const operatorNamespace = await getOrUndefined(clients, "namespaces", () => clients.core.readNamespace({ name: "tigera-operator" }));
  const clusterConfiguration = kubeadm?.data?.ClusterConfiguration;
  return {
    kubeadmPodSubnet: clusterConfiguration ? podSubnetFromKubeadmConfig(clusterConfiguration) : undefined,
    operatorInstalled: operatorNamespace !== undefined,
  };
};
