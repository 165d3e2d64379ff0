// Shapes of the objects as the Kubernetes API returns them (only the fields we read), and of the
// summaries built from them. Field names follow the CRDs of crd.projectcalico.org/v1 and
// operator.tigera.io/v1 so a fixture or a live list response can be used without translation.

import type { ObjectMeta } from "../core/kube";
import type { TigeraStatus, TigeraStatusSummary } from "../calico/status";

export type { ObjectMeta };

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
  handle_id?: string;
  /** Free-form string map; pods carry node, namespace, pod, timestamp. */
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

export interface KubeNode {
  metadata?: ObjectMeta;
}

/** Everything one read of the cluster returns; the input of the summaries. */
export interface IpamSnapshot {
  ippools: IPPool[];
  ipamblocks: IPAMBlock[];
  blockaffinities: BlockAffinity[];
  nodes: KubeNode[];
  tigerastatuses: TigeraStatus[];
}

export interface PoolSummary {
  name: string;
  cidr: string;
  blockSize: number;
  ipsTotal: number;
  ipsInUse: number;
  ipsFree: number;
}

export interface BlockSummary {
  cidr: string;
  /** The node of the block's affinity; null for a block no node holds. */
  node: string | null;
  /** The first pool that overlaps the block; absent for orphan blocks. */
  pool?: string;
  ipsTotal: number;
  ipsInUse: number;
  ipsFree: number;
}

export interface NodeSummary {
  name: string;
  /** Blocks affine to the node (orphan blocks included: the node still holds them). */
  blocks: number;
  /** Addresses in use in those blocks, whoever uses them. */
  ipsInUse: number;
  /** Addresses this node's workloads hold in blocks affine to another node. */
  ipsBorrowed: number;
}

export interface IpamSummary {
  pools: PoolSummary[];
  /** Blocks inside a pool, in address order. */
  blocks: BlockSummary[];
  /** Blocks outside every pool (calicoctl's "orphaned" blocks), in address order. */
  orphanBlocks: BlockSummary[];
  nodes: NodeSummary[];
}

export interface BlockAffinityRow {
  name: string;
  node: string;
  cidr: string;
  state: string;
  deleted: boolean;
}

/** What the stack outputs and `npm run ipam` show: one reader, one summariser. */
export interface IpamState {
  blockAffinities: BlockAffinityRow[];
  ipam: IpamSummary;
  tigeraStatus: TigeraStatusSummary;
}
