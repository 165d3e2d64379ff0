// Facts about a cluster the user already has (target existing), read before anything is declared.
import * as ipaddr from "ipaddr.js";
import { parse } from "yaml";

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

function contains(outer: string, inner: string): boolean {
  const [outerAddr, outerBits] = ipaddr.parseCIDR(outer.trim());
  const [innerAddr, innerBits] = ipaddr.parseCIDR(inner);
  return outerAddr.kind() === innerAddr.kind() && innerBits >= outerBits && innerAddr.match(outerAddr, outerBits);
}

/**
 * The operator refuses a pool outside kubeadm's podSubnet, in a TigeraStatus nobody reads; say it now.
 * kubeadm's podSubnet may list an IPv4 and an IPv6 range, comma-separated.
 */
export function podCidrProblem(podCidr: string, facts: ExistingClusterFacts): string | undefined {
  if (facts.kubeadmPodSubnet === undefined) return undefined;
  const subnets = facts.kubeadmPodSubnet.split(",").filter((s) => s.trim() !== "");
  if (subnets.some((subnet) => contains(subnet, podCidr))) return undefined;
  return (
    `calico-ipam:podCidr is "${podCidr}", but this cluster's kubeadm podSubnet is "${facts.kubeadmPodSubnet}" ` +
    `(kube-system/kubeadm-config): the Tigera operator would refuse the pool. Set calico-ipam:podCidr to a range inside it.`
  );
}

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const candidate of [e.code, e.statusCode, e.response?.statusCode]) {
    if (typeof candidate === "number") return candidate;
  }
  return undefined;
}

export const inspectExistingCluster: InspectCluster = async (kubeconfig) => {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const server = kc.getCurrentCluster()?.server ?? "(no server in kubeconfig)";
  const found = async (read: () => Promise<unknown>): Promise<unknown | undefined> => {
    try {
      return await read();
    } catch (err) {
      const code = statusCode(err);
      if (code === 404) return undefined;
      if (code === 401 || code === 403) {
        throw new Error(`calico-ipam: the kubeconfig's user may not read the cluster at ${server} (HTTP ${code})`);
      }
      throw new Error(`calico-ipam: cannot reach the cluster at ${server}: ${(err as Error).message}`);
    }
  };
  const kubeadm = (await found(() => core.readNamespacedConfigMap({ name: "kubeadm-config", namespace: "kube-system" }))) as
    | { data?: Record<string, string> }
    | undefined;
  const operatorNamespace = await found(() => core.readNamespace({ name: "tigera-operator" }));
  const clusterConfiguration = kubeadm?.data?.ClusterConfiguration;
  return {
    kubeadmPodSubnet: clusterConfiguration ? podSubnetFromKubeadmConfig(clusterConfiguration) : undefined,
    operatorInstalled: operatorNamespace !== undefined,
  };
};
