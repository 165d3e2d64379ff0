// Reads the IPAM objects through the Kubernetes API and summarises them: the one read behind the
// stack outputs and `npm run ipam`.
import { connect, KubeReadError, listCustom, listNodes, type ReadOptions, type ResourceRef } from "../core/kube";
import { summariseTigeraStatus, TIGERASTATUSES, type TigeraStatus } from "../calico/status";
import { listBlockAffinities, summariseIpam } from "./summary";
import type { BlockAffinity, IPAMBlock, IPPool, IpamSnapshot, IpamState } from "./types";

export const CALICO_RESOURCES = {
  ippools: { group: "crd.projectcalico.org", version: "v1", plural: "ippools" },
  ipamblocks: { group: "crd.projectcalico.org", version: "v1", plural: "ipamblocks" },
  blockaffinities: { group: "crd.projectcalico.org", version: "v1", plural: "blockaffinities" },
} as const satisfies Record<string, ResourceRef>;

export async function readIpamSnapshot(kubeconfigYaml: string, opts: ReadOptions = {}): Promise<IpamSnapshot> {
  const clients = connect(kubeconfigYaml, opts);
  const reads = [
    listCustom<IPPool>(clients, CALICO_RESOURCES.ippools, opts),
    listCustom<IPAMBlock>(clients, CALICO_RESOURCES.ipamblocks, opts),
    listCustom<BlockAffinity>(clients, CALICO_RESOURCES.blockaffinities, opts),
    listNodes(clients, opts),
    // Calico installed from manifests has no operator: no TigeraStatus is then an answer, not an error.
    listCustom<TigeraStatus>(clients, TIGERASTATUSES, opts).catch((err: unknown): TigeraStatus[] => {
      if (err instanceof KubeReadError && err.kind === "not-found") return [];
      throw err;
    }),
  ] as const;
  // allSettled, then the first failure in a fixed order, so the same fault always gives the same line.
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const [ippools, ipamblocks, blockaffinities, nodes, tigerastatuses] = await Promise.all(reads);
  return { ippools, ipamblocks, blockaffinities, nodes, tigerastatuses };
}

export function stateFromSnapshot(snapshot: IpamSnapshot): IpamState {
  return {
    blockAffinities: listBlockAffinities(snapshot.blockaffinities),
    ipam: summariseIpam(snapshot),
    tigeraStatus: summariseTigeraStatus(snapshot.tigerastatuses),
  };
}

/** THE read used by the stack outputs and by `npm run ipam`. */
export async function readIpamState(kubeconfigYaml: string, opts: ReadOptions = {}): Promise<IpamState> {
  return stateFromSnapshot(await readIpamSnapshot(kubeconfigYaml, opts));
}
