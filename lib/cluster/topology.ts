// The containerlab topology and the kind cluster config, rendered from the lab config.
// Rendering is deterministic (same input, same bytes): these texts are the cluster's replace triggers.
import { stringify } from "yaml";
import { API_SERVER_PORT, kindNodeNames } from "../core/types";
import { REGISTRY_MIRROR } from "../core/versions";

export interface ClusterShape {
  labName: string;
  /** kindest/node image, by digest (lib/core/versions.ts KIND_NODE_IMAGES, or the nodeImage key). */
  nodeImage: string;
  workers: number;
  podCidr: string;
  serviceCidr: string;
  /** Dual-stack: kind's IPv6 pod and service ranges, beside the IPv4 ones. */
  dualStack?: { podCidr: string; serviceCidr: string };
  /** Labels of each worker node, in node order; kind hands them to the kubelet when the node registers. */
  workerLabels?: Record<string, string>[];
  /**
   * How the API server is exposed. `public`: on every host address at 6443, with the certificate
   * valid for these extra names (the Elastic IP and its DNS name). `loopback`: kind's default,
   * 127.0.0.1 on a free port, for a lab on the user's own machine.
   */
  apiServer: { exposure: "public"; certSans: string[] } | { exposure: "loopback" };
}


/** The kind nodes' Kubernetes names, as kind derives them from the cluster name. */
export function nodeNames(shape: Pick<ClusterShape, "labName" | "workers">): { name: string; role: string }[] {
  return kindNodeNames(shape.labName, shape.workers);
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
          image: shape.nodeImage,
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
  const dual = shape.dualStack;
  const networking: Record<string, unknown> = {
    // Calico is the CNI; kind's own (kindnet) must not be installed.
    disableDefaultCNI: true,
    // Dual-stack: one range of each family, comma-separated (kind's validateSubnets).
    ...(dual ? { ipFamily: "dual" } : {}),
    podSubnet: dual ? `${shape.podCidr},${dual.podCidr}` : shape.podCidr,
    serviceSubnet: dual ? `${shape.serviceCidr},${dual.serviceCidr}` : shape.serviceCidr,
  };
  let worker = 0;
  const nodes = nodeNames(shape).map((node) => {
    const labels = node.role === "worker" ? shape.workerLabels?.[worker++] : undefined;
    return labels && Object.keys(labels).length > 0 ? { role: node.role, labels } : { role: node.role };
  });
  const config: Record<string, unknown> = {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    networking,
    nodes,
    containerdConfigPatches: [CONTAINERD_REGISTRY_HOSTS_PATCH],
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

// The host's registry mirror, as the kind nodes' containerd sees it. Kept apart from the rest of the
// kind config: it changes with the host, not with the lab's settings.

/**
 * kind's documented local-registry patch (site/static/examples/kind-with-registry.sh at v0.31.0):
 * containerd reads per-registry hosts.toml files from certs.d. containerd 2.2 in kind v0.31.0's node
 * images migrates this v2-format key to its images plugin (plugins/cri/images/plugin.go, migrateConfig).
 */
export const CONTAINERD_REGISTRY_HOSTS_PATCH =
  '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';

/**
 * hosts.toml for the mirrored upstream: try the host's mirror first (reached by its container name on
 * docker's `kind` network), and the upstream itself when the mirror fails or lacks an image.
 */
export function mirrorHostsToml(): string {
  return [
    `server = "https://${REGISTRY_MIRROR.upstream}"`,
    "",
    `[host."http://${REGISTRY_MIRROR.name}:5000"]`,
    '  capabilities = ["pull", "resolve"]',
    "",
  ].join("\n");
}

/** Whose ~/.kube/config the deploy makes point at the lab: on the lab's own host, the login user's. */
export type UserKubeconfig = "default" | "lab-only";

/** The deploy step's parameters: the rendered files, the mirror, and the user's kubeconfig choice. */
export function deployStepParams(shape: ClusterShape, userKubeconfig: UserKubeconfig): Record<string, string> {
  return {
    LAB_NAME: shape.labName,
    TOPOLOGY: renderTopology(shape),
    KIND_CONFIG: renderKindConfig(shape),
    USER_KUBECONFIG: userKubeconfig,
    MIRROR_NAME: REGISTRY_MIRROR.name,
    MIRROR_UPSTREAM: REGISTRY_MIRROR.upstream,
    MIRROR_HOSTS_TOML: mirrorHostsToml(),
  };
}

/**
 * The kind config as far as only a new cluster can change it: worker labels left out, since the
 * lab keeps them up to date on the running nodes. The cluster's replace trigger.
 */
export function renderKindConfigIdentity(shape: ClusterShape): string {
  return renderKindConfig({ ...shape, workerLabels: undefined });
}
