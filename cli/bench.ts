// `npm run bench`: the whole `npm run ipam` path on synthetic clusters far larger than the lab: the
// paged read from a local API server (127.0.0.1), the summaries, `check`, the calicoctl table and the
// SVG (with its size). Informational: it fails only when a number comes out wrong.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { runCheck } from "../lib/ipam/check";
import { checkSnapshot } from "../lib/ipam/normalise";
import { analyseSnapshot, readIpamSnapshot } from "../lib/ipam/reader";
import { renderUtilization } from "../lib/ipam/show";
import { summariseIpam } from "../lib/ipam/summary";
import { renderIpamSvg } from "../lib/ipam/svg";
import { pageOf } from "./paged-list";

interface Shape {
  label: string;
  /** First address of the pool, as a 32-bit number, and its prefix. */
  base: number;
  prefix: number;
  nodes: number;
  blocks: number;
  pods: number;
  /** Allocations no pod uses (leaked), to give `check` something to find. */
  leaked: number;
}

const BLOCK_PREFIX = 26;
const BLOCK_SIZE = 64;
const ip = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
const dashed = (cidr: string): string => cidr.replace(/[./]/g, "-");

/** A cluster as the API lists it: blocks dealt round-robin to nodes (as claims interleave in time), pods filling them in turn. */
function syntheticCluster(s: Shape): Record<string, unknown[]> {
  const nodes = Array.from({ length: s.nodes }, (_, i) => `node-${i + 1}`);
  const blocks = Array.from({ length: s.blocks }, (_, i) => ({
    cidr: `${ip(s.base + i * BLOCK_SIZE)}/${BLOCK_PREFIX}`,
    node: nodes[i % s.nodes],
    start: s.base + i * BLOCK_SIZE,
    used: [] as { handle: string; secondary: Record<string, string> }[],
  }));
  const byNode = (node: number): typeof blocks => blocks.filter((_, i) => i % s.nodes === node);
  const nodeBlocks = nodes.map((_, n) => byNode(n));
  const annotations: Record<string, Record<string, string>> = {};
  const pods: unknown[] = [];
  const handles: unknown[] = [];
  const allocate = (n: number, handle: string, secondary: Record<string, string>): string => {
    const block = nodeBlocks[n].find((b) => b.used.length < BLOCK_SIZE) as (typeof blocks)[number];
    block.used.push({ handle, secondary });
    handles.push({ metadata: { name: handle }, spec: { handleID: handle, block: { [block.cidr]: 1 } } });
    return ip(block.start + block.used.length - 1);
  };
  nodes.forEach((node, n) => {
    const tunnel = allocate(n, `vxlan-tunnel-addr-${node}`, { node, type: "vxlanTunnelAddress" });
    annotations[node] = { "projectcalico.org/IPv4VXLANTunnelAddr": tunnel };
  });
  for (let p = 0; p < s.pods; p++) {
    const n = p % s.nodes;
    const name = `pod-${p}`;
    const address = allocate(n, `k8s-pod-network.${p}`, { node: nodes[n], namespace: "bench", pod: name, timestamp: "2025-01-01 00:00:00" });
    pods.push({ metadata: { name, namespace: "bench" }, spec: { nodeName: nodes[n] }, status: { phase: "Running", podIP: address, podIPs: [{ ip: address }] } });
  }
  for (let l = 0; l < s.leaked; l++) allocate(l % s.nodes, `k8s-pod-network.gone-${l}`, { node: nodes[l % s.nodes], namespace: "bench", pod: `gone-${l}` });

  const ipamblocks = blocks.map((b) => {
    const allocations = Array.from({ length: BLOCK_SIZE }, (_, a) => (a < b.used.length ? a : null));
    const unallocated = Array.from({ length: BLOCK_SIZE - b.used.length }, (_, a) => a + b.used.length);
    const attributes = b.used.map((u) => ({ handle_id: u.handle, secondary: u.secondary }));
    return { metadata: { name: dashed(b.cidr) }, spec: { cidr: b.cidr, affinity: `host:${b.node}`, allocations, unallocated, attributes, deleted: false } };
  });
  const blockaffinities = blocks.map((b) => ({
    metadata: { name: `${b.node}-${dashed(b.cidr)}` },
    spec: { cidr: b.cidr, node: b.node, state: "confirmed", deleted: "false", type: "host" },
  }));
  // The API lists by name, not by address.
  const byName = (a: unknown, b: unknown): number => {
    const na = (a as { metadata: { name: string } }).metadata.name;
    const nb = (b as { metadata: { name: string } }).metadata.name;
    return na < nb ? -1 : na > nb ? 1 : 0;
  };
  return {
    "/apis/crd.projectcalico.org/v1/ippools": [{ metadata: { name: "bench-pool" }, spec: { cidr: `${ip(s.base)}/${s.prefix}`, blockSize: BLOCK_PREFIX } }],
    "/apis/crd.projectcalico.org/v1/ipamblocks": ipamblocks.sort(byName),
    "/apis/crd.projectcalico.org/v1/blockaffinities": blockaffinities.sort(byName),
    "/apis/crd.projectcalico.org/v1/ipamhandles": handles.sort(byName),
    "/api/v1/nodes": nodes.map((name) => ({ metadata: { name, annotations: annotations[name] } })),
    "/api/v1/pods": pods.sort(byName),
    "/api/v1/services": [],
    "/apis/operator.tigera.io/v1/tigerastatuses": [],
  };
}

/** The kind a real API server gives each list (the CRDs' listKind): the reader refuses any other. */
const LIST_KINDS: Record<string, string> = {
  ippools: "IPPoolList", ipamblocks: "IPAMBlockList", blockaffinities: "BlockAffinityList", ipamhandles: "IPAMHandleList",
  nodes: "NodeList", pods: "PodList", services: "ServiceList", tigerastatuses: "TigeraStatusList",
};

async function serve(lists: Record<string, unknown[]>): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const items = lists[url.pathname];
    const page = items ? pageOf(items, url.searchParams) : undefined;
    res.writeHead(page ? 200 : 404, { "content-type": page ? "application/json" : "text/plain" });
    res.end(page ? JSON.stringify({ kind: LIST_KINDS[url.pathname.split("/").at(-1)!], apiVersion: "v1", ...page }) : "404 page not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const kubeconfig = (server: string): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\n` +
  `users:\n- name: bench\n  user:\n    token: bench\ncontexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\ncurrent-context: bench\n`;

async function time<T>(runs: number, fn: () => T | Promise<T>): Promise<{ median: number; result: T }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], result: result as T };
}

const ms = (n: number): string => `${n.toFixed(0).padStart(5)} ms`;

async function bench(shape: Shape): Promise<void> {
  const lists = syntheticCluster(shape);
  const server = await serve(lists);
  try {
    const read = await time(3, () => readIpamSnapshot(kubeconfig(server.url)));
    const snapshot = read.result;
    const checked = checkSnapshot(snapshot);
    const summary = await time(5, () => summariseIpam(checkSnapshot(snapshot)));
    const check = await time(5, () => runCheck({ checked, snapshot }));
    const table = await time(5, () => renderUtilization(checked, true));
    const { state } = analyseSnapshot(snapshot);
    const svg = await time(3, () => renderIpamSvg(state, { cluster: server.url, at: new Date(0) }).svg);
    const expectedInUse = shape.nodes + shape.pods + shape.leaked;
    const counted = Number(summary.result.summary.pools[0].ipsInUse);
    console.log(
      `${shape.label}\n` +
        `  read, paged (${Object.values(lists).reduce((n, l) => n + l.length, 0)} objects)`.padEnd(48) + `${ms(read.median)}\n` +
        `  summarise`.padEnd(48) + `${ms(summary.median)}  (${counted} addresses in use)\n` +
        `  check`.padEnd(48) + `${ms(check.median)}  (${check.result.report.summary.problems} problems)\n` +
        `  calicoctl table, --show-blocks`.padEnd(48) + `${ms(table.median)}\n` +
        `  SVG`.padEnd(48) + `${ms(svg.median)}  (${(Buffer.byteLength(svg.result) / 1024).toFixed(0)} KB)`,
    );
    if (counted !== expectedInUse) throw new Error(`bench: expected ${expectedInUse} addresses in use, counted ${counted}`);
    if (check.result.report.summary.problems !== shape.leaked) throw new Error(`bench: expected ${shape.leaked} problems, check found ${check.result.report.summary.problems}`);
  } finally {
    server.close();
  }
}

async function main(): Promise<void> {
  // --quick: one small cluster, so the tests can run the whole path in seconds.
  const quick = process.argv.includes("--quick");
  const shapes: Shape[] = quick ? [
    { label: "quick: /20 pool, 64 blocks, 10 nodes, 300 pods", base: 0x0a200000, prefix: 20, nodes: 10, blocks: 64, pods: 300, leaked: 3 },
  ] : [
    { label: "/16 pool, 1,024 blocks, 200 nodes, 6,000 pods", base: 0xc0a80000, prefix: 16, nodes: 200, blocks: 1024, pods: 6000, leaked: 5 },
    { label: "/12 pool, 10,240 blocks, 200 nodes, 12,000 pods", base: 0x0a000000, prefix: 12, nodes: 200, blocks: 10_240, pods: 12_000, leaked: 20 },
    { label: "check: 50 nodes, 3,000 pods, 10,000 blocks", base: 0x0a100000, prefix: 12, nodes: 50, blocks: 10_000, pods: 3000, leaked: 10 },
  ];
  for (const shape of shapes) await bench(shape);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
