// The lab fixtures as one snapshot, parsed the way the reader gets them (plain JSON.parse: the 2^53+
// sequence numbers rounded), and helpers to build odd snapshots from small objects.
import * as fs from "node:fs";
import * as path from "node:path";
import { projectNode, projectPod } from "../../lib/ipam/reader";
import type { IpamSnapshot } from "../../lib/ipam/types";

const FIXTURES = path.join(__dirname, "..", "fixtures", "ipam");

export function items(file: string): never[] {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")).items;
}

export function fixtureSnapshot(): IpamSnapshot {
  return {
    ippools: items("ippools.json"),
    ipamblocks: items("ipamblocks.json"),
    blockaffinities: items("blockaffinities.json"),
    nodes: items("nodes.json").map(projectNode),
    tigerastatuses: items("tigerastatuses.json"),
    ipamhandles: items("ipamhandles.json"),
    pods: items("pods.json").map(projectPod),
    services: [],
    ipamconfig: null,
  };
}

export const pool = (name: string, cidr: string, blockSize?: number, extra: Record<string, unknown> = {}): never =>
  ({ metadata: { name }, spec: { cidr, ...(blockSize === undefined ? {} : { blockSize }), ...extra } }) as never;

/** A block as the API names it (cidr with dashes), `used` addresses from the start in use by `node`'s pods. */
export function block(cidr: string, node: string | null, used: number, size = 64, extra: Record<string, unknown> = {}): never {
  const allocations = Array.from({ length: size }, (_, i) => (i < used ? i : null));
  const attributes = Array.from({ length: used }, (_, i) => ({
    handle_id: `k8s-pod-network.${cidr}-${i}`,
    secondary: { namespace: "default", node: node ?? "gone", pod: `pod-${i}` },
  }));
  return {
    metadata: { name: cidr.toLowerCase().replace(/[.:/]/g, "-") },
    spec: {
      cidr,
      affinity: node === null ? null : `host:${node}`,
      allocations,
      unallocated: Array.from({ length: size - used }, (_, i) => i + used),
      attributes,
      deleted: false,
      ...extra,
    },
  } as never;
}

export function snapshotOf(parts: Partial<IpamSnapshot>): IpamSnapshot {
  return { ippools: [], ipamblocks: [], blockaffinities: [], nodes: [], tigerastatuses: [], ...parts };
}

/**
 * calicoctl ipam show for the lab fixtures, worked out by hand (test/ipam/show.spec.ts says how):
 * 2/256 = 0.78% -> "1", 254/256 = 99.2% -> "99"; numbers right-aligned, headers centred.
 */
export const LAB_POOL_TABLE = `+----------+----------------+-----------+------------+--------------+
| GROUPING |      CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |
+----------+----------------+-----------+------------+--------------+
| IP Pool  | 192.168.0.0/16 |     65536 | 14 (0%)    | 65522 (100%) |
| IP Pool  | 10.48.0.0/24   |       256 | 2 (1%)     | 254 (99%)    |
+----------+----------------+-----------+------------+--------------+
`;
