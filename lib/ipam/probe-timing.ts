// The IPAM probe stage of the `timings` output, read from the cluster's own timestamps like the Calico
// stages: from the Installation's creation (the start every Calico stage counts from, so the keys read
// as one timeline) to the last probe pod's Ready condition. A pause container is Ready as soon as it
// runs, and it runs only after Calico's CNI gave its sandbox an address: so this is the moment every
// node had a block to give out. Block affinities would not do: each node claims its first block for
// Calico's own DaemonSet pods (csi-node-driver) before the probe, and workloads add blocks later, so
// their creation times measure neither the probe nor stay the same from one `up` to the next.
import { secondsBetween, timeOf, type PodTimes } from "../calico/ready";
import { INSTALLATIONS } from "../calico/status";
import { connect, getCustom, listObjects, type ObjectMeta, type ReadOptions } from "../core/kube";
import { PROBE_NAME, PROBE_NAMESPACE } from "./probe";

export interface IpamProbeTimings {
  /** Installation created to the last probe pod Ready. */
  ipamProbeReadySeconds?: number;
}

export type ProbePod = PodTimes & { metadata?: PodTimes["metadata"] & { deletionTimestamp?: string | Date } };

/** Installation created to the last probe pod Ready; undefined unless every current probe pod is Ready. */
export function ipamProbeReadySeconds(pods: ProbePod[], installationCreated: string | Date | undefined): number | undefined {
  // A pod on its way out (a rollout of the DaemonSet) is not the probe any more.
  const current = pods.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
  const ready = current.map((pod) => {
    const condition = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
    return timeOf(condition?.lastTransitionTime);
  });
  if (ready.length === 0 || ready.some((t) => !Number.isFinite(t))) return undefined;
  return secondsBetween(timeOf(installationCreated), Math.max(...ready));
}

/** The probe's pods and the Installation, read once the probe DaemonSet is ready; a stage that cannot be read is left out. */
export async function readIpamProbeTimings(kubeconfigYaml: string, read: ReadOptions = {}): Promise<IpamProbeTimings> {
  const clients = connect(kubeconfigYaml, read);
  const [pods, installation] = await Promise.all([
    listObjects(clients, { group: "", version: "v1", plural: "pods", kind: "Pod" }, { ...read, namespace: PROBE_NAMESPACE, labelSelector: `app.kubernetes.io/name=${PROBE_NAME}` }),
    getCustom<{ metadata?: ObjectMeta }>(clients, INSTALLATIONS, "default"),
  ]);
  const seconds = ipamProbeReadySeconds(pods as ProbePod[], installation?.metadata?.creationTimestamp);
  return seconds === undefined ? {} : { ipamProbeReadySeconds: seconds };
}
