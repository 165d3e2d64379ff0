// The IPAM probe: one pause container on every node. Calico claims a block for a node only when a
// pod there first needs an address, so without it a node may hold no block and the outputs mislead.

import type { V1DaemonSet } from "@kubernetes/client-node";

export const PROBE_NAMESPACE = "calico-ipam";
export const PROBE_NAME = "ipam-probe";
export const PROBE_IMAGE = "registry.k8s.io/pause:3.10";

export function probeDaemonSet(namespace: string): V1DaemonSet {
  const labels = { "app.kubernetes.io/name": PROBE_NAME, "app.kubernetes.io/part-of": "calico-ipam" };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: PROBE_NAME, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // Every node, the control plane included: tolerate every taint.
          tolerations: [{ operator: "Exists" }],
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 0,
          securityContext: { runAsNonRoot: true, runAsUser: 65535, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "pause",
              image: PROBE_IMAGE,
              resources: { requests: { cpu: "1m", memory: "4Mi" }, limits: { memory: "16Mi" } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            },
          ],
        },
      },
    },
  };
}
