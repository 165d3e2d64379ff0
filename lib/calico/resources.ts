// The Calico custom resources the lab declares, as plain objects (tested and schema-checked directly).
import type { Encapsulation, NatOutgoing } from "../core/types";

export interface PoolSettings {
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: NatOutgoing;
  nodeSelector: string;
}

/** The pool's name the operator gives the only IPv4 pool of an Installation. */
export const DEFAULT_POOL_NAME = "default-ipv4-ippool";

/**
 * The Installation spec exactly as the operator (v1.38) leaves it after writing its defaults back:
 * `ipPools` is an atomic list, so declaring anything less shows a diff on every `pulumi up`.
 */
export function installationSpec(pool: PoolSettings): Record<string, unknown> {
  return {
    variant: "Calico",
    cni: { type: "Calico", ipam: { type: "Calico" } },
    calicoNetwork: {
      ipPools: [
        {
          name: DEFAULT_POOL_NAME,
          cidr: pool.cidr,
          blockSize: pool.blockSize,
          encapsulation: pool.encapsulation,
          natOutgoing: pool.natOutgoing,
          nodeSelector: pool.nodeSelector,
          allowedUses: ["Workload", "Tunnel"],
          assignmentMode: "Automatic",
          disableBGPExport: false,
          disableNewAllocations: false,
        },
      ],
    },
  };
}
