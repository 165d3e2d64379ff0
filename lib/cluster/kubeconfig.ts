// kind writes the API server address it listens on (0.0.0.0 for a public lab) into the kubeconfig;
// clients elsewhere need the address they can reach.
import { stringify } from "yaml";
import { parseKubeconfig, type Dict } from "../core/kube-config";

const FROM = "calico-ipam: the kubeconfig `kind get kubeconfig` printed on the host";

export function pointKubeconfigAt(kubeconfig: string, server: string): string {
  let doc: Dict;
  try {
    doc = parseKubeconfig(kubeconfig);
  } catch (err) {
    throw new Error(`${FROM} cannot be used: ${(err as Error).message}`);
  }
  const clusters = Array.isArray(doc.clusters) ? (doc.clusters as { cluster?: { server?: string } }[]) : [];
  if (clusters.length === 0) throw new Error(`${FROM} has no cluster; is the kind cluster running on the host?`);
  for (const entry of clusters) {
    if (entry.cluster) entry.cluster.server = server;
  }
  return stringify(doc);
}
