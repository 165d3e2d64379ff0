// kind writes the API server address it listens on (0.0.0.0 for a public lab) into the kubeconfig;
// clients elsewhere need the address they can reach.
import { parse, stringify } from "yaml";

interface KubeconfigDoc {
  clusters?: { cluster?: { server?: string } }[];
}

export function pointKubeconfigAt(kubeconfig: string, server: string): string {
  let doc: KubeconfigDoc | null;
  try {
    doc = parse(kubeconfig) as KubeconfigDoc | null;
  } catch (err) {
    // The parser's message quotes the lines around the fault: key material. Say where, never what.
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new Error(`calico-ipam: \`kind get kubeconfig\` printed a kubeconfig that is not valid YAML${line ? ` (line ${line})` : ""}`);
  }
  if (!doc || !Array.isArray(doc.clusters) || doc.clusters.length === 0) {
    throw new Error("calico-ipam: `kind get kubeconfig` printed no cluster; is the kind cluster running on the host?");
  }
  for (const entry of doc.clusters) {
    if (entry.cluster) entry.cluster.server = server;
  }
  return stringify(doc);
}
