// `npm run ipam -- check`: calicoctl ipam check's findings (calicoctl/calicoctl/commands/ipam/check.go,
// v3.30.7) from the Kubernetes API alone, and what it misses.
import { strict as assert } from "node:assert";
import { runCheck } from "../../lib/ipam/check";
import { checkSnapshot } from "../../lib/ipam/normalise";
import { projectPod } from "../../lib/ipam/reader";
import type { IpamSnapshot, KubePod } from "../../lib/ipam/types";
import { block, fixtureSnapshot, pool } from "./fixture-state";

function check(edit: (s: IpamSnapshot) => void = () => undefined) {
  const snapshot = fixtureSnapshot();
  edit(snapshot);
  return runCheck({ checked: checkSnapshot(snapshot), snapshot });
}

const pod = (namespace: string, name: string, ip: string, extra: Record<string, unknown> = {}): KubePod =>
  projectPod({ metadata: { namespace, name }, spec: { nodeName: "calico-ipam-worker" }, status: { phase: "Running", podIP: ip, podIPs: [{ ip }] }, ...extra });

describe("ipam check", () => {
  it("finds nothing wrong with the lab, and says so the way calicoctl does", () => {
    // check.go:193-469, in its order; map iterations (random in Go) sorted here. The allocation counts
    // per node come from the allocation's node attribute (check.go:545), so worker2's pod in worker's
    // block counts for worker2: worker 6, worker2 6, control-plane 5.
    const run = check();
    assert.equal(
      run.text,
      `Checking IPAM for inconsistencies...

Loading all IPAM blocks...
Found 6 IPAM blocks.
 IPAM block 10.48.0.16/28 affinity=host:calico-ipam-worker2:
 IPAM block 10.99.0.0/26 affinity=host:calico-ipam-worker:
 IPAM block 192.168.0.64/26 affinity=host:calico-ipam-control-plane:
 IPAM block 192.168.1.64/26 affinity=host:calico-ipam-worker:
 IPAM block 192.168.2.0/26 affinity=host:calico-ipam-worker2:
 IPAM block 192.168.2.192/26 affinity=host:calico-ipam-worker2:
IPAM blocks record 17 allocations.

Loading all IPAM pools...
  192.168.0.0/16
  10.48.0.0/24
Found 2 active IP pools.

Loading all nodes.
Found 3 node tunnel IPs.

Loading all service load balancer IPs.
Found 0 service load balancer(s).

Loading all workload endpoints.
Found 14 workload IPs.
Workloads and nodes are using 17 IPs.

Loading all handles
Looking for top (up to 20) nodes by allocations...
  calico-ipam-worker has 6 allocations
  calico-ipam-worker2 has 6 allocations
  calico-ipam-control-plane has 5 allocations
Node with most allocations has 6; median is 6

Scanning for IPs that are allocated but not actually in use...
Found 0 IPs that are allocated in IPAM but not actually in use.
Scanning for IPs that are in use by a workload or node but not allocated in IPAM...
Found 0 in-use IPs that are not in active IP pools.
Found 0 in-use IPs that are in active IP pools but have no corresponding IPAM allocation.
Found 0 in-use IPs with more than one owner.

Scanning for IPAM handles with no matching IPs...
Found 0 handles with no matching IPs (and 17 handles with matches).
Scanning for IPs with missing handle...
Found 0 handles mentioned in blocks with no matching handle resource.
Scanning for block affinities that dangle...
Found 0 block affinities that dangle.
Check complete; found 0 problems.
`,
    );
    assert.deepEqual(run.report, { problems: [], summary: { ipsAllocated: "17", ipsInUse: "17", problems: 0 } });
  });

  it("does not count host-network pods or finished pods (conversion.go IsFinished, IsValidCalicoWorkloadEndpoint)", () => {
    // The fixture holds two kube-proxy pods on node addresses and a Succeeded pod that kept 192.168.2.3.
    assert.doesNotMatch(check().text, /172\.18\.0|192\.168\.2\.3/);
  });

  it("finds a leaked address: allocated, but its pod is gone (check.go:373)", () => {
    const run = check((s) => (s.pods = s.pods?.filter((p) => p.metadata?.name !== "ipam-probe-x2d6n")));
    assert.match(
      run.text,
      /\n {2}192\.168\.2\.2 leaked; attrs Main:k8s-pod-network\.708192a3\S+ Extra:namespace=calico-ipam,node=calico-ipam-worker2,pod=ipam-probe-x2d6n,timestamp=2025-11-24 00:23:12\.839507 \+0000 UTC\nFound 1 IPs that are allocated in IPAM but not actually in use\.\n/,
    );
    assert.deepEqual(run.report.problems, [
      {
        kind: "leaked-ip",
        ip: "192.168.2.2",
        handle: "k8s-pod-network.708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f",
        node: "calico-ipam-worker2",
        block: "192.168.2.0/26",
        pod: "calico-ipam/ipam-probe-x2d6n",
      },
    ]);
    assert.match(run.text, /Check complete; found 1 problems\.\n$/);
  });

  it("reads a pod address written IPv4-mapped (::ffff:a.b.c.d) as the IPv4 address, as check.go normaliseIP does", () => {
    // check.go normaliseIP: cnet.ParseCIDROrIP, then IP.String(), which Go prints as dotted IPv4 (net.IP.To4).
    const run = check((s) => {
      const probe = s.pods?.find((p) => p.metadata?.name === "ipam-probe-x2d6n");
      assert.ok(probe?.status);
      probe.status.podIP = "::ffff:192.168.2.2";
      probe.status.podIPs = [{ ip: "::ffff:192.168.2.2" }];
    });
    assert.deepEqual(run.report.problems, []);
    assert.match(run.text, /Check complete; found 0 problems\.\n$/);
  });

  it("finds addresses in use but not allocated, inside and outside the active pools (check.go:391)", () => {
    const run = check((s) => s.pods?.push(pod("default", "ghost", "192.168.5.5"), pod("default", "stray", "10.200.0.1")));
    assert.match(run.text, /\n {2}10\.200\.0\.1 in use by Workload\(default\/stray\) is not in any active IP pool\.\n/);
    assert.match(run.text, /\n {2}192\.168\.5\.5 in use by Workload\(default\/ghost\) and in active IPAM pool but has no IPAM allocation\.\n/);
    assert.deepEqual(
      run.report.problems.map((p) => [p.kind, p.ip, p.pod]),
      [
        ["ip-outside-pools", "10.200.0.1", "default/stray"],
        ["ip-not-allocated", "192.168.5.5", "default/ghost"],
      ],
    );
  });

  it("finds handles without addresses and addresses whose handle is missing (check.go:433, :453)", () => {
    const run = check((s) => {
      s.ipamhandles = s.ipamhandles?.filter((h) => h.spec?.handleID !== "vxlan-tunnel-addr-calico-ipam-worker");
      s.ipamhandles?.push({ metadata: { name: "k8s-pod-network.orphan" }, spec: { handleID: "k8s-pod-network.orphan" } });
    });
    assert.deepEqual(run.report.problems, [
      { kind: "handle-without-ips", handle: "k8s-pod-network.orphan" },
      { kind: "missing-handle", handle: "vxlan-tunnel-addr-calico-ipam-worker" },
    ]);
    assert.match(run.text, /\n {2}vxlan-tunnel-addr-calico-ipam-worker is in use in a block but doesn't exist\.\n/);
  });

  it("finds BlockAffinities that dangle: node gone, block missing, block owned by another node (beyond calicoctl)", () => {
    const run = check((s) => {
      s.blockaffinities.push(
        { metadata: { name: "gone-node-192-168-9-0-26" }, spec: { cidr: "192.168.9.0/26", node: "gone-node", state: "confirmed", deleted: "false" } },
        { metadata: { name: "calico-ipam-worker-192-168-2-0-26" }, spec: { cidr: "192.168.2.0/26", node: "calico-ipam-worker", state: "confirmed", deleted: "false" } },
        // Pending affinities are claimed before their block is written: not dangling.
        { metadata: { name: "calico-ipam-worker-192-168-7-0-26" }, spec: { cidr: "192.168.7.0/26", node: "calico-ipam-worker", state: "pending", deleted: "false" } },
      );
    });
    assert.deepEqual(run.report.problems, [
      { kind: "dangling-affinity", node: "gone-node", block: "192.168.9.0/26", detail: "gone-node-192-168-9-0-26: the node is gone; no IPAMBlock exists for it" },
      { kind: "dangling-affinity", node: "calico-ipam-worker", block: "192.168.2.0/26", detail: 'calico-ipam-worker-192-168-2-0-26: the block\'s affinity is "host:calico-ipam-worker2"' },
    ]);
  });

  it("finds one address used by two pods (beyond calicoctl, which only prints it)", () => {
    const run = check((s) => s.pods?.push(pod("default", "twin", "192.168.0.65")));
    assert.deepEqual(run.report.problems, [
      { kind: "duplicate-ip", ip: "192.168.0.65", pod: "kube-system/coredns-5dd5756b68-7fqvd", detail: "used by Workload(kube-system/coredns-5dd5756b68-7fqvd), Workload(default/twin)" },
    ]);
    assert.match(run.text, /\n {2}192\.168\.0\.65 has multiple owners\.\n/);
  });

  it("counts IPv6 VXLAN and WireGuard tunnel addresses as in use (calicoctl's getNodeIPs reads IPv4 only)", () => {
    const tunnels = block("fd00:10::/122", "calico-ipam-worker", 2, 64, {
      attributes: [
        { handle_id: "vxlan-v6-tunnel-addr-calico-ipam-worker", secondary: { node: "calico-ipam-worker", type: "vxlanV6TunnelAddress" } },
        { handle_id: "wireguard-v6-tunnel-addr-calico-ipam-worker", secondary: { node: "calico-ipam-worker", type: "wireguardV6TunnelAddress" } },
      ],
    });
    const run = check((s) => {
      s.ippools.push(pool("default-ipv6-ippool", "fd00:10::/48", 122));
      s.ipamblocks.push(tunnels);
      for (const h of ["vxlan-v6-tunnel-addr-calico-ipam-worker", "wireguard-v6-tunnel-addr-calico-ipam-worker"]) s.ipamhandles?.push({ spec: { handleID: h } });
      const worker = s.nodes.find((n) => n.metadata?.name === "calico-ipam-worker");
      Object.assign(worker?.metadata?.annotations ?? {}, {
        "projectcalico.org/IPv6VXLANTunnelAddr": "fd00:10::",
        "projectcalico.org/IPv6WireguardInterfaceAddr": "fd00:10::1",
      });
    });
    assert.deepEqual(run.report.problems, []);
    assert.match(run.text, /Found 5 node tunnel IPs\./);
  });

  it("takes a pod's addresses from status, else from Calico's annotation (conversion.go getPodIPs)", () => {
    const annotated = projectPod({
      metadata: { namespace: "default", name: "pending-status", annotations: { "cni.projectcalico.org/podIPs": "192.168.0.65/32" } },
      spec: { nodeName: "calico-ipam-control-plane" },
      status: { phase: "Running" },
    });
    const run = check((s) => (s.pods = [...(s.pods ?? []).filter((p) => p.metadata?.name !== "coredns-5dd5756b68-7fqvd"), annotated]));
    assert.deepEqual(run.report.problems, []);
  });
});
