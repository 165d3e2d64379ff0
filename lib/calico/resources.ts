// The Calico custom resources the lab declares, as plain objects (tested and schema-checked directly).
import type { IpamConfigSettings } from "../config/keys";
import type { PoolSettings } from "../core/types";

export type { PoolSettings } from "../core/types";

/** The pool's name the operator gives the only IPv4 pool of an Installation. */
export const DEFAULT_POOL_NAME = "default-ipv4-ippool";

/** Every Calico pool the operator writes back, field by field (defaults.go fillDefaults, v1.38). */
function poolSpec(pool: PoolSettings): Record<string, unknown> {
  return {
    name: pool.name,
    cidr: pool.cidr,
    blockSize: pool.blockSize,
    encapsulation: pool.encapsulation,
    natOutgoing: pool.natOutgoing,
    nodeSelector: pool.nodeSelector,
    allowedUses: ["Workload", "Tunnel"],
    assignmentMode: pool.assignmentMode,
    disableBGPExport: false,
    disableNewAllocations: pool.disableNewAllocations,
  };
}

/**
 * The Installation spec exactly as the operator (v1.38) leaves it after writing its defaults back:
 * `ipPools` is an atomic list, so declaring anything less shows a diff on every `pulumi up`.
 * With an IPv6 pool, calico-node must find each node's IPv6 address from its first start; the
 * operator would default that only once the IPv6 pool exists, and roll calico-node again.
 */
export function installationSpec(pools: PoolSettings[]): Record<string, unknown> {
  const calicoNetwork: Record<string, unknown> = { ipPools: pools.map(poolSpec) };
  if (pools.some((p) => p.cidr.includes(":"))) calicoNetwork.nodeAddressAutodetectionV6 = { firstFound: true };
  return { variant: "Calico", cni: { type: "Calico", ipam: { type: "Calico" } }, calicoNetwork };
}

/** projectcalico.org/v3, served by the lab's Calico API server (not crd.projectcalico.org, Calico's storage). */
export const IPAM_CONFIGURATION = { apiVersion: "projectcalico.org/v3", kind: "IPAMConfiguration", name: "default" } as const;

/**
 * The cluster-wide IPAM settings. Calico reads only the object named `default` (libcalico-go
 * clientv3/ipamconfig.go validateMetadata); its v3 spec has exactly these two fields (api/pkg/apis/
 * projectcalico/v3/ipamconfig.go), the API server sets the stored autoAllocateBlocks itself.
 */
export function ipamConfigurationSpec(settings: IpamConfigSettings): Record<string, unknown> {
  return { strictAffinity: settings.strictAffinity, maxBlocksPerHost: settings.maxBlocksPerHost };
}
