// A cluster state after an IPAM experiment, built the way Calico writes it: IP pools as the operator
// creates them, IPAM blocks whose allocations and attributes name each pod and its node, block
// affinities, pods with their addresses, and the kubelet's FailedCreatePodSandBox events for pods that
// got none. Served by the fake API server, so the real readers read it over HTTP; and checked
// against the upstream schemas in test/conformance.
import * as ipaddr from "ipaddr.js";
import type { PoolSettings } from "../../lib/core/types";
import type { WorkloadQuery } from "../../lib/ipam/workloads";
import type { IpamSnapshot } from "../../lib/ipam/types";
import { FakeApiServer, loadFixtureItems, PATHS } from "./fake-apiserver";

type Obj = Record<string, unknown>;

interface Block {
  cidr: string;
  node: string;
  size: number;
  allocations: (number | null)[];
  attributes: Obj[];
}

const CREATED = "2026-08-22T10:00:00Z";

function addressAt(cidr: string, offset: number): string {
  const [base] = ipaddr.parseCIDR(cidr);
  const bytes = base.toByteArray();
  let carry = offset;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = bytes[i] + carry;
    bytes[i] = sum % 256;
    carry = Math.floor(sum / 256);
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function blockSize(cidr: string): number {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  return 2 ** ((addr.kind() === "ipv4" ? 32 : 128) - prefix);
}

/** The v1 modes the operator writes for an encapsulation (api/v1 ToProjectCalicoV1). */
function modes(encapsulation: string): { vxlanMode: string; ipipMode: string } {
  const vxlan = { VXLAN: "Always", VXLANCrossSubnet: "CrossSubnet" }[encapsulation] ?? "Never";
  const ipip = { IPIP: "Always", IPIPCrossSubnet: "CrossSubnet" }[encapsulation] ?? "Never";
  return { vxlanMode: vxlan, ipipMode: ipip };
}

export class FakeCluster {
  readonly nodes: string[];
  private readonly pools: Obj[] = [];
  private readonly blocks: Block[] = [];
  private readonly pods: Obj[] = [];
  private readonly events: Obj[] = [];
  private readonly namespaces: Obj[] = [];

  constructor(nodes: string[]) {
    this.nodes = nodes;
  }

  pool(p: PoolSettings): this {
    this.pools.push({
      apiVersion: "crd.projectcalico.org/v1",
      kind: "IPPool",
      metadata: { name: p.name, labels: { "app.kubernetes.io/managed-by": "tigera-operator" }, creationTimestamp: CREATED },
      spec: {
        cidr: p.cidr, blockSize: p.blockSize, nodeSelector: p.nodeSelector, natOutgoing: p.natOutgoing === "Enabled",
        disabled: p.disableNewAllocations, allowedUses: ["Workload", "Tunnel"], assignmentMode: p.assignmentMode, ...modes(p.encapsulation),
      },
    });
    return this;
  }

  /** A block claimed by `node`, whose first `othersUsing` addresses hold its tunnel address and system pods. */
  block(cidr: string, node: string, othersUsing = 0): this {
    const size = blockSize(cidr);
    const block: Block = { cidr, node, size, allocations: Array.from({ length: size }, () => null), attributes: [] };
    for (let i = 0; i < othersUsing; i++) {
      const tunnel = i === 0;
      block.attributes.push(tunnel
        ? { handle_id: `vxlan-tunnel-addr-${node}`, secondary: { node, type: "vxlanTunnelAddress" } }
        : { handle_id: `k8s-pod-network.system-${node}-${i}`, secondary: { namespace: "calico-system", node, pod: `system-${i}`, timestamp: CREATED } });
      block.allocations[i] = block.attributes.length - 1;
    }
    this.blocks.push(block);
    return this;
  }

  namespace(name: string, annotations?: Record<string, string>): this {
    this.namespaces.push({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(annotations ? { annotations } : {}) }, status: { phase: "Active" } });
    return this;
  }

  private podObject(query: WorkloadQuery, name: string, node: string, annotations?: Record<string, string>): Obj {
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: query.namespace,
        labels: {
          "app.kubernetes.io/name": query.name, "app.kubernetes.io/part-of": "calico-ipam",
          "app.kubernetes.io/component": "ipam-workload", "calico-ipam/template": query.template,
        },
        ...(annotations ? { annotations } : {}),
      },
      spec: { nodeName: node, containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10" }] },
      status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] },
    };
  }

  /** A running pod with one address from each of `blocks` (the next free one): IPv4 first, as Kubernetes lists them. */
  pod(query: WorkloadQuery, name: string, node: string, blocks: string[], annotations?: Record<string, string>): this {
    const pod = this.podObject(query, name, node, annotations);
    const ips = blocks.map((cidr) => {
      const block = this.blocks.find((b) => b.cidr === cidr);
      if (!block) throw new Error(`fake cluster: no block ${cidr}`);
      const free = block.allocations.indexOf(null);
      if (free < 0) throw new Error(`fake cluster: block ${cidr} is full`);
      block.attributes.push({ handle_id: `k8s-pod-network.${name}`, secondary: { namespace: query.namespace, node, pod: name, timestamp: CREATED } });
      block.allocations[free] = block.attributes.length - 1;
      return addressAt(cidr, free);
    });
    pod.status = {
      phase: "Running",
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }],
    };
    this.pods.push(pod);
    return this;
  }

  /** A pod Calico gave no address: the kubelet's sandbox event carries Calico's error. */
  failingPod(query: WorkloadQuery, name: string, node: string, calicoError: string): this {
    this.pods.push(this.podObject(query, name, node));
    this.events.push({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${name}.18a0b1c2d3e4f5a6`, namespace: query.namespace },
      involvedObject: { apiVersion: "v1", kind: "Pod", name, namespace: query.namespace },
      reason: "FailedCreatePodSandBox",
      type: "Warning",
      count: 4,
      firstTimestamp: CREATED,
      lastTimestamp: CREATED,
      source: { component: "kubelet", host: node },
      message: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "0123456789abcdef": plugin type="calico" failed (add): ${calicoError}`,
    });
    return this;
  }

  /** A pod no node can take. */
  unschedulablePod(query: WorkloadQuery, name: string, message: string): this {
    const pod = this.podObject(query, name, "");
    delete (pod.spec as Obj).nodeName;
    pod.status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }] };
    this.pods.push(pod);
    return this;
  }

  private ipamBlock(b: Block): Obj {
    const unallocated = b.allocations.flatMap((a, i) => (a === null ? [i] : []));
    return {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "IPAMBlock",
      metadata: { name: b.cidr.replace(/[.:/]/g, "-"), creationTimestamp: CREATED },
      spec: {
        cidr: b.cidr, affinity: `host:${b.node}`, allocations: b.allocations, unallocated, attributes: b.attributes,
        deleted: false, strictAffinity: false, sequenceNumber: 1, sequenceNumberForAllocation: {},
      },
    };
  }

  private affinity(b: Block): Obj {
    return {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "BlockAffinity",
      metadata: { name: `${b.node}-${b.cidr.replace(/[.:/]/g, "-")}`, creationTimestamp: CREATED },
      spec: { cidr: b.cidr, node: b.node, state: "confirmed", deleted: "false", type: "host" },
    };
  }

  /** Every object, by kind: what a conformance check walks. */
  objects(): Obj[] {
    const s = this.snapshot();
    return [...s.ippools, ...s.ipamblocks, ...s.blockaffinities, ...s.nodes, ...this.pods, ...this.events, ...this.namespaces] as Obj[];
  }

  /** The IPAM read's input, as the stack's `ipam` output would be computed from this cluster. */
  snapshot(): IpamSnapshot {
    return {
      ippools: this.pools,
      ipamblocks: this.blocks.map((b) => this.ipamBlock(b)),
      blockaffinities: this.blocks.map((b) => this.affinity(b)),
      nodes: this.nodes.map((name) => ({ apiVersion: "v1", kind: "Node", metadata: { name } })),
      tigerastatuses: loadFixtureItems("tigerastatuses.json"),
    } as IpamSnapshot;
  }

  /** Serves this state from the fake API server (pods and events in each workload namespace). */
  serve(server: FakeApiServer): void {
    const s = this.snapshot();
    server.setItems(PATHS.ippools, s.ippools);
    server.setItems(PATHS.ipamblocks, s.ipamblocks);
    server.setItems(PATHS.blockaffinities, s.blockaffinities);
    server.setItems(PATHS.nodes, s.nodes);
    const names = new Set([...this.pods, ...this.namespaces].map((o) => String((o.metadata as Obj).namespace ?? (o.metadata as Obj).name)));
    for (const ns of names) {
      const inNs = (o: Obj) => (o.metadata as Obj).namespace === ns;
      server.addList(`/api/v1/namespaces/${ns}/pods`, "v1", "PodList", this.pods.filter(inNs));
      server.addList(`/api/v1/namespaces/${ns}/events`, "v1", "EventList", this.events.filter(inNs));
    }
    for (const ns of this.namespaces) server.setObject(`/api/v1/namespaces/${String((ns.metadata as Obj).name)}`, ns);
  }
}
