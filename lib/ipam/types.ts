// Shapes of the objects as the Kubernetes API returns them (only the fields we read), and of the
// summaries built from them: the `ipam` stack output and `npm run ipam -- --json`.
//
// Exact counts, one type per field: every count of addresses (`ips*`) and the number of blocks a pool
// can hold (`blocksTotal`) is a decimal string, e.g. "65536" or, for an IPv6 /64 pool of /122 blocks,
// "288230376151711744". A JSON number (and so a Pulumi output, which carries numbers as float64) is exact
// only up to 2^53, and an IPv6 pool passes that; a string is exact at any size and is the same type
// for every pool. Counts of objects read from the cluster (blocks claimed, nodes, problems) are numbers.
// In JavaScript: BigInt(pool.ipsTotal); in jq: (.ipsTotal | tonumber) where 2^53 is enough.

import type { ObjectMeta } from "../core/kube";
import type { TigeraStatus, TigeraStatusSummary } from "../calico/status";
import type { IpFamily } from "../core/cidr";

export type { ObjectMeta };

/** A count of addresses (or of blocks a pool can hold): decimal digits, exact at any size, "-" only for corrupt blocks. */
export type Count = string;

// ---- As read from the API (crd.projectcalico.org/v1 and core/v1): every field optional, shapes unchecked.

export interface IPPool {
  metadata?: ObjectMeta;
  spec?: {
    cidr?: string;
    blockSize?: number;
    disabled?: boolean;
    nodeSelector?: string;
  };
}

export interface IPAMBlockAttribute {
  handle_id?: string | null;
  /** Free-form string map; pods carry node, namespace, pod, timestamp; tunnels carry node, type. */
  secondary?: Record<string, string> | null;
}

export interface IPAMBlock {
  metadata?: ObjectMeta;
  spec?: {
    cidr?: string;
    /** "host:<node>", or absent when the block has no owner. */
    affinity?: string | null;
    /** One entry per address: null when free, else an index into attributes. */
    allocations?: (number | null)[];
    unallocated?: number[];
    attributes?: IPAMBlockAttribute[];
    deleted?: boolean;
    // sequenceNumber and sequenceNumberForAllocation are deliberately absent: they exceed 2^53, so
    // JSON.parse has already rounded them by the time we see them, and nothing here may rely on them.
  };
}

export interface BlockAffinity {
  metadata?: ObjectMeta;
  spec?: {
    cidr?: string;
    node?: string;
    /** confirmed | pending | pendingDeletion */
    state?: string;
    /** The string "true" or "false" (the CRD keeps it a string for old clients). */
    deleted?: string | boolean;
    type?: string;
  };
}

export interface IPAMHandle {
  metadata?: ObjectMeta;
  spec?: { handleID?: string; block?: Record<string, number>; deleted?: boolean };
}

export interface IPAMConfig {
  metadata?: ObjectMeta;
  spec?: { strictAffinity?: boolean; autoAllocateBlocks?: boolean; maxBlocksPerHost?: number };
}

/** A node as the reader keeps it: its name and Calico's tunnel-address annotations. */
export interface KubeNode {
  metadata?: ObjectMeta;
}

/** A pod as the reader keeps it: what Calico's pod-to-WorkloadEndpoint conversion looks at. */
export interface KubePod {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; podIPs?: { ip?: string }[] };
}

/** A Service as the reader keeps it: LoadBalancer ingress addresses. */
export interface KubeService {
  metadata?: ObjectMeta;
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

/** Everything one read of the cluster returns; the input of the summaries. */
export interface IpamSnapshot {
  ippools: IPPool[];
  ipamblocks: IPAMBlock[];
  blockaffinities: BlockAffinity[];
  nodes: KubeNode[];
  tigerastatuses: TigeraStatus[];
  /** Read for `check`; undefined when not read (or not readable: see `unreadable`). */
  ipamhandles?: IPAMHandle[];
  pods?: KubePod[];
  services?: KubeService[];
  /** crd.projectcalico.org/v1 IPAMConfig "default"; null when the cluster has none (Calico's defaults apply). */
  ipamconfig?: IPAMConfig | null;
  /** Lists the reader could not read (a 403), each with the reason: the summaries say what they lack. */
  unreadable?: Record<string, string>;
}

// ---- Summaries: the `ipam` stack output and `npm run ipam -- --json`.

export interface PoolSummary {
  name: string;
  /** Canonical text, as calicoctl prints it (10.45.3.0/26, fd00:45::40/122). */
  cidr: string;
  family: IpFamily;
  blockSize: number;
  disabled: boolean;
  /** Blocks the pool can hold: 2^(blockSize - prefix). */
  blocksTotal: Count;
  /** Blocks that exist in the pool (claimed by a node or not). */
  blocks: number;
  ipsTotal: Count;
  ipsInUse: Count;
  ipsFree: Count;
}

export interface BlockSummary {
  /** Canonical text. */
  cidr: string;
  /** The node of the block's affinity ("host:<node>"); null for a block no node holds. */
  node: string | null;
  /** The first pool in list order that overlaps the block, as calicoctl counts it; null outside every pool. */
  pool: string | null;
  /** 2^(bits - prefix), then in use = total - len(unallocated) as calicoctl computes it (negative when corrupt). */
  ipsTotal: Count;
  ipsInUse: Count;
  ipsFree: Count;
  /** Addresses in this block held by workloads of another node. */
  ipsBorrowed: Count;
}

export interface NodeSummary {
  name: string;
  /** Blocks affine to the node (orphan blocks included: the node still holds them). */
  blocks: number;
  /** Addresses in use in those blocks, whoever uses them. */
  ipsInUse: Count;
  /** Addresses this node's workloads hold in blocks affine to another node. */
  ipsBorrowed: Count;
}

/** The numbers of `npm run ipam -- check`; null in the stack output when pods or handles could not be read. */
export interface CheckSummary {
  /** Allocations recorded in IPAM blocks. */
  ipsAllocated: Count;
  /** Addresses pods, nodes' tunnels and LoadBalancer services use. */
  ipsInUse: Count;
  problems: number;
}

export interface IpamSummary {
  /** In the order the API lists them (by name), as calicoctl prints them. */
  pools: PoolSummary[];
  /** Blocks inside a pool, in list order (by name), as calicoctl prints them. */
  blocks: BlockSummary[];
  /** Blocks outside every pool of their family (calicoctl's "orphaned" blocks), in list order. */
  orphanBlocks: BlockSummary[];
  /** Every node of the cluster and every node a block names, in natural order (worker2 before worker10). */
  nodes: NodeSummary[];
  check: CheckSummary | null;
}

export interface BlockAffinityRow {
  name: string;
  node: string;
  cidr: string;
  state: string;
  deleted: boolean;
}

export type CheckProblemKind =
  | "leaked-ip"
  | "ip-outside-pools"
  | "ip-not-allocated"
  | "handle-without-ips"
  | "missing-handle"
  | "dangling-affinity"
  | "duplicate-ip";

/** One finding of `check`; fields that do not apply are absent. */
export interface CheckProblem {
  kind: CheckProblemKind;
  ip?: string;
  handle?: string;
  node?: string;
  block?: string;
  /** namespace/name */
  pod?: string;
  /** Why, in words (e.g. which owners share a duplicate address, why an affinity dangles). */
  detail?: string;
}

export interface CheckReport {
  problems: CheckProblem[];
  summary: CheckSummary;
}

/** What the stack outputs and `npm run ipam` show: one reader, one summariser. */
export interface IpamState {
  blockAffinities: BlockAffinityRow[];
  ipam: IpamSummary;
  tigeraStatus: TigeraStatusSummary;
  /** The full check, when pods and handles could be read. */
  check: CheckReport | null;
  /** Objects skipped or numbers to distrust, one line each, naming the object. */
  warnings: string[];
}
