// The few words every stage shares: where the lab lives and how a Calico pool moves packets.
export type Target = "aws" | "local" | "existing";
export type Encapsulation = "VXLANCrossSubnet" | "VXLAN" | "IPIPCrossSubnet" | "IPIP" | "None";
export type NatOutgoing = "Enabled" | "Disabled";
/** What the stack manages of Calico: the operator and the lab's resources, only the resources, or nothing (read-only). */
export type CalicoInstall = "operator" | "installation" | "none";

/** The Kubernetes API port on the lab host: the security group opens it, kind listens on it. */
export const API_SERVER_PORT = 6443;
