// The IPAM probe: one pause container on every node. Calico claims a block for a node only when a
// pod there first needs an address, so without it a node may hold no block and the outputs mislead.

import type { V1DaemonSet, V1PodSpec } from "@kubernetes/client-node";
import type { LabObject } from "../cluster/existing-objects";

export const PROBE_NAMESPACE = "calico-ipam";
export const PROBE_NAME = "ipam-probe";
/** registry.k8s.io/pause 3.10, by the digest of its multi-arch index: the image never changes under the lab. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a";
export const PROBE_IMAGE = PAUSE_IMAGE;
/**
 * How long `pulumi up` waits for a probe pod on every node (the kubernetes provider's own wait, whose
 * default is 10 minutes: pulumi-kubernetes await/daemonset.go). A pod that gets no address (a node at
 * its block limit, strict affinity with a full block) fails the run after this, not after 10 minutes;
 * README Troubleshooting says what to look at.
 */
export const PROBE_TIMEOUT_SECONDS = 180;

/** A pod that only holds an address: the pause container, with nothing to exploit and almost no cost. */
export function pausePodSpec(extra: Partial<V1PodSpec> = {}): V1PodSpec {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 0,
    securityContext: { runAsNonRoot: true, runAsUser: 65535, seccompProfile: { type: "RuntimeDefault" } },
    ...extra,
    containers: [
      {
        name: "pause",
        image: PAUSE_IMAGE,
        resources: { requests: { cpu: "1m", memory: "4Mi" }, limits: { memory: "16Mi" } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
      },
    ],
  };
}

export function probeDaemonSet(namespace: string): V1DaemonSet {
  const labels = { "app.kubernetes.io/name": PROBE_NAME, "app.kubernetes.io/part-of": "calico-ipam" };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: PROBE_NAME, namespace, labels, annotations: { "pulumi.com/timeoutSeconds": String(PROBE_TIMEOUT_SECONDS) } },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        // Every node, the control plane included: tolerate every taint.
        spec: pausePodSpec({ tolerations: [{ operator: "Exists" }] }),
      },
    },
  };
}

/** The namespace the probe creates, for the check of a cluster the lab did not make. */
export const PROBE_OBJECT: LabObject = {
  kind: "Namespace", name: PROBE_NAMESPACE, key: "calico-ipam:ipamProbe", instead: "set calico-ipam:ipamProbe to false (the probe needs a namespace of its own)",
  madeWithCalico: true,
};
