// The few words every stage shares: where the lab lives and how a Calico pool moves packets.
export type Target = "aws" | "local" | "existing";
export type Encapsulation = "VXLANCrossSubnet" | "VXLAN" | "IPIPCrossSubnet" | "IPIP" | "None";
export type NatOutgoing = "Enabled" | "Disabled";
/** What the stack manages of Calico: the operator and the lab's resources, only the resources, or nothing (read-only). */
export type CalicoInstall = "operator" | "installation" | "none";
/** Pods get addresses from a pool on their own (Automatic) or only when they ask for it by name (Manual). */
export type AssignmentMode = "Automatic" | "Manual";
/** kind's networking.ipFamily the lab supports: IPv4 only, or IPv4 and IPv6 (every pod gets one of each). */
export type ClusterIpFamily = "ipv4" | "dual";

/** One Calico IP pool, with the fields of the operator's Installation `spec.calicoNetwork.ipPools[]`. */
export interface PoolSettings {
  name: string;
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: NatOutgoing;
  nodeSelector: string;
  disableNewAllocations: boolean;
  assignmentMode: AssignmentMode;
}

/** The kind nodes' Kubernetes names, as kind derives them from the cluster name. */
export function kindNodeNames(labName: string, workers: number): { name: string; role: "control-plane" | "worker" }[] {
  const workerNodes = Array.from({ length: workers }, (_, i) => ({
    name: `${labName}-worker${i === 0 ? "" : i + 1}`,
    role: "worker" as const,
  }));
  return [{ name: `${labName}-control-plane`, role: "control-plane" }, ...workerNodes];
}

/** The Kubernetes API port on the lab host: the security group opens it, kind listens on it. */
export const API_SERVER_PORT = 6443;
