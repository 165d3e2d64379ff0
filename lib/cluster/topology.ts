// The containerlab topology and the kind cluster config, rendered from the lab config.
// Rendering is deterministic (same input, same bytes): these texts are the cluster's replace triggers.
import { stringify } from "yaml";
import { API_SERVER_PORT } from "../core/types";

export interface ClusterShape {
  labName: string;
  kubernetesVersion: string;
  workers: number;
  podCidr: string;
  serviceCidr: string;
  /**
   * How the API server is exposed. `public`: on every host address at 6443, with the certificate
   * valid for these extra names (the Elastic IP and its DNS name). `loopback`: kind's default,
   * 127.0.0.1 on a free port, for a lab on the user's own machine.
   */
  apiServer: { exposure: "public"; certSans: string[] } | { exposure: "loopback" };
}


/** The kind nodes' Kubernetes names, as kind derives them from the cluster name. */
export function nodeNames(shape: Pick<ClusterShape, "labName" | "workers">): { name: string; role: string }[] {
  const workers = Array.from({ length: shape.workers }, (_, i) => ({
    name: `${shape.labName}-worker${i === 0 ? "" : i + 1}`,
    role: "worker",
  }));
  return [{ name: `${shape.labName}-control-plane`, role: "control-plane" }, ...workers];
}

export function kindConfigFileName(labName: string): string {
  return `${labName}.kind.yaml`;
}

export function renderTopology(shape: ClusterShape): string {
  const topology = {
    name: shape.labName,
    topology: {
      nodes: {
        [shape.labName]: {
          kind: "k8s-kind",
          image: `kindest/node:${shape.kubernetesVersion}`,
          "startup-config": kindConfigFileName(shape.labName),
          extras: {
            // With no CNI yet the nodes never turn Ready; without this containerlab waits 15 minutes.
            k8s_kind: { deploy: { wait: "0s" } },
          },
        },
      },
    },
  };
  return stringify(topology);
}

export function renderKindConfig(shape: ClusterShape): string {
  const networking: Record<string, unknown> = {
    // Calico is the CNI; kind's own (kindnet) must not be installed.
    disableDefaultCNI: true,
    podSubnet: shape.podCidr,
    serviceSubnet: shape.serviceCidr,
  };
  const config: Record<string, unknown> = {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    networking,
    nodes: nodeNames(shape).map((node) => ({ role: node.role })),
  };
  if (shape.apiServer.exposure === "public") {
    networking.apiServerAddress = "0.0.0.0";
    networking.apiServerPort = API_SERVER_PORT;
    // A merge patch replaces the list, so it names every SAN clients use, kind's own included.
    const certSANs = ["localhost", "127.0.0.1", ...shape.apiServer.certSans];
    config.kubeadmConfigPatches = [
      stringify({ kind: "ClusterConfiguration", apiServer: { certSANs } }),
    ];
  }
  return stringify(config);
}
