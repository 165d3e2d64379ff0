import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { stateFromSnapshot } from "../../lib/ipam/reader";
import { renderIpamSvg } from "../../lib/ipam/svg";
import type { IpamState } from "../../lib/ipam/types";
import { missingTool, skipIfMissing } from "../conformance/support/environment";
import { decodePng } from "../support/png";
import { block, fixtureSnapshot, pool, snapshotOf } from "./fixture-state";

const AT = new Date("2025-11-24T01:00:00Z");
const NAME = "[A-Za-z_][\\w:.-]*";
const TEXT_OK = /^(?:[^&<>]|&(?:amp|lt|gt|quot|apos|#\d+);)*$/;
const OPEN = new RegExp(`^<(${NAME})((?:\\s+${NAME}="[^"<>]*")*)\\s*(/?)>$`);
const CLOSE = new RegExp(`^</(${NAME})\\s*>$`);

/** A small well-formedness check: every tag balanced, one root, attributes quoted, no bare & or >. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>/, "");
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (const match of body.matchAll(/<[^<>]*>/g)) {
    const between = body.slice(last, match.index);
    if (!TEXT_OK.test(between)) problems.push(`bad text ${JSON.stringify(between.slice(0, 40))}`);
    last = (match.index ?? 0) + match[0].length;
    const close = CLOSE.exec(match[0]);
    const open = OPEN.exec(match[0]);
    if (close) {
      const expected = stack.pop();
      if (expected !== close[1]) problems.push(`</${close[1]}> closes <${expected}>`);
    } else if (open) {
      if (!TEXT_OK.test(open[2].replace(/"/g, ""))) problems.push(`bad attribute text in ${match[0]}`);
      if (stack.length === 0) roots += 1;
      if (open[3] !== "/") stack.push(open[1]);
    } else {
      problems.push(`malformed tag ${match[0].slice(0, 60)}`);
    }
  }
  if (!TEXT_OK.test(body.slice(last))) problems.push("bad trailing text");
  if (stack.length > 0) problems.push(`unclosed ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

function svgOf(state: IpamState): string {
  const { svg } = renderIpamSvg(state, { cluster: "https://203.0.113.7:6443", at: AT });
  assert.deepEqual(xmlProblems(svg), []);
  return svg;
}

/** A /12 pool of /26 blocks with `blocks` claimed by `nodes` nodes in turn, each in use from 0 to 64. */
function largeState(blocks: number, nodes: number, extraPools: never[] = []): IpamState {
  const ipamblocks = Array.from({ length: blocks }, (_, i) => {
    const o = i * 64;
    return block(`10.${(o >> 16) & 255}.${(o >> 8) & 255}.${o & 255}/26`, `worker${(i % nodes) + 1}`, (i * 7) % 65);
  });
  const names = Array.from({ length: nodes }, (_, n) => ({ metadata: { name: `worker${n + 1}` } }));
  return stateFromSnapshot(snapshotOf({ ippools: [pool("default-ipv4-ippool", "10.0.0.0/12", 26), ...extraPools], ipamblocks, nodes: names }));
}

const legendOf = (svg: string): string[] => [...(svg.split('<g class="legend">')[1] ?? "").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).slice(1);

describe("IPAM SVG map", () => {
  const lab = stateFromSnapshot(fixtureSnapshot());
  const svg = svgOf(lab);

  it("names the cluster and the time, and sums up the pools", () => {
    assert.match(svg, /<title>Calico IPAM of https:\/\/203\.0\.113\.7:6443, 2025-11-24T01:00:00Z<\/title>/);
    assert.match(svg, /2 pools, 5 blocks claimed, 3 nodes; 16 of 65,792 addresses in use; check: 0 problems/);
  });

  it("draws every block of the lab with a hover title naming its cidr, node and use", () => {
    for (const b of [...lab.ipam.blocks, ...lab.ipam.orphanBlocks]) {
      assert.ok(svg.includes(`${b.cidr} · ${b.node}`), `no mark for ${b.cidr}`);
    }
    assert.ok(svg.includes("192.168.1.64/26 · calico-ipam-worker · 6 of 64 in use, 1 borrowed by other nodes"));
  });

  it("explains in the legend exactly the marks it uses", () => {
    // The lab has a borrowed address and blocks large enough for bars; no node-less block, no problem.
    assert.deepEqual(legendOf(svg), [
      "a block claimed by a node: one colour per node, as in the node table (3 coloured)",
      "a block no node has claimed yet",
      "the filled part of a block: the share of its addresses in use",
      "corner triangle: some addresses are used by another node&apos;s pods (borrowed)",
    ]);
  });

  it("marks leaked addresses and dangling affinities when check finds them, and explains both", () => {
    const snapshot = fixtureSnapshot();
    snapshot.pods = snapshot.pods?.filter((p) => p.metadata?.name !== "ipam-probe-x2d6n");
    snapshot.blockaffinities.push({ metadata: { name: "gone-192-168-9-0-26" }, spec: { cidr: "192.168.9.0/26", node: "gone", state: "confirmed", deleted: "false" } });
    const marked = svgOf(stateFromSnapshot(snapshot));
    assert.equal((marked.match(/<circle [^>]*fill="#d62728"\/>/g) ?? []).length, 1 + 1, "one leak dot on the map and one in the legend");
    assert.equal((marked.match(/stroke="#d62728" stroke-width="2" stroke-dasharray="3 2"/g) ?? []).length, 1 + 1);
    assert.match(marked, /leaked-ip: 192\.168\.2\.2, block 192\.168\.2\.0\/26/);
    assert.ok(legendOf(marked).some((l) => l.startsWith("red dot: leaked addresses")));
    assert.ok(legendOf(marked).some((l) => l.startsWith("dashed red outline: a BlockAffinity that dangles")));
  });

  it("draws a disabled pool in a dashed frame, and says why in the legend", () => {
    const snapshot = fixtureSnapshot();
    snapshot.ippools.push(pool("old-pool", "172.30.0.0/24", 26, { disabled: true }));
    const drawn = svgOf(stateFromSnapshot(snapshot));
    assert.match(drawn, /IP pool 172\.30\.0\.0\/24 “old-pool” \(disabled\)/);
    assert.ok(legendOf(drawn).some((l) => l.startsWith("dashed grey frame: a disabled pool")));
  });

  it("draws an IPv6 /56 of /122 blocks compressed: claimed blocks by node, 2^66 blocks counted in words", () => {
    const state = stateFromSnapshot(
      snapshotOf({
        ippools: [pool("default-ipv6-ippool", "fd00:10::/56", 122)],
        ipamblocks: [block("fd00:10::/122", "n1", 3), block("fd00:10::40/122", "n1", 0), block("fd00:10::80/122", "n2", 64)],
        nodes: [{ metadata: { name: "n1" } }, { metadata: { name: "n2" } }],
      }),
    );
    const drawn = svgOf(state);
    assert.match(drawn, /3 of 73,786,976,294,838,206,464 \(2\^66\) blocks of \/122 claimed; 73,786,976,294,838,206,461 unclaimed, not drawn/);
    assert.match(drawn, />n1: 2 blocks<\/text>/);
    assert.match(drawn, />fd00:10::\/122 … fd00:10::40\/122<\/text>/);
  });

  it("stays small at 10,240 blocks (under 300 KB) and keeps the legend and node table capped at 200 nodes", () => {
    const drawn = svgOf(largeState(10_240, 200));
    assert.ok(drawn.length < 300 * 1024, `${Math.round(drawn.length / 1024)} KB`);
    const height = Number(drawn.match(/height="(\d+)"/)?.[1]);
    assert.ok(height < 2000, `${height} px tall`);
    assert.match(drawn, />180 other nodes<\/text>/);
    assert.match(drawn, /hover titles left out: 10,240 blocks/);
  });

  it("never throws on odd pools: blockSize 33 or 26.5 is drawn as a list, with a warning", () => {
    for (const blockSize of [33, 26.5]) {
      const state = stateFromSnapshot(snapshotOf({ ippools: [pool("odd", "10.0.0.0/16", blockSize)], ipamblocks: [block("10.0.0.0/26", "n1", 1)] }));
      const drawn = svgOf(state);
      assert.match(drawn, new RegExp(`blockSize ${blockSize} cannot be laid out in 10\\.0\\.0\\.0/16`));
      assert.match(state.warnings.join("\n"), /IPPool "odd" has blockSize/);
    }
  });

  it("escapes names and cuts long ones, so odd text can neither break nor bloat the document", () => {
    const evil = `<script>&"'${"x".repeat(100_000)}`;
    const state = stateFromSnapshot(
      snapshotOf({ ippools: [pool(evil, "10.0.0.0/24", 26)], ipamblocks: [block("10.0.0.0/26", evil, 1)], nodes: [{ metadata: { name: evil } }] }),
    );
    const drawn = svgOf(state);
    assert.ok(!drawn.includes("<script>"));
    assert.ok(drawn.length < 20_000, `${drawn.length} bytes`);
  });

  describe("rendered by rsvg-convert", () => {
    before(function () {
      skipIfMissing(this, missingTool("rsvg-convert", "librsvg2-bin"));
    });

    const render = (svgText: string, width: number) => {
      const run = spawnSync("rsvg-convert", ["-w", String(width), "-f", "png"], { input: svgText, maxBuffer: 64 * 1024 * 1024 });
      assert.equal(run.status, 0, String(run.stderr));
      return decodePng(run.stdout);
    };

    for (const width of [300, 800, 1600]) {
      it(`at ${width} px wide: the worker's block in its colour, an unclaimed block in grey`, () => {
        const svgWidth = Number(svg.match(/width="(\d+)"/)?.[1]);
        const png = render(svg, width);
        assert.equal(png.width, width);
        const [, gx, gy, cell] = (svg.match(/<g class="cells" transform="translate\((\d+) (\d+)\) scale\((\d+)\)">/) ?? []).map(Number);
        const at = (col: number, rowFraction: number): [number, number, number, number] =>
          png.pixel(((gx + (col + 0.5) * cell) * width) / svgWidth, ((gy + rowFraction * cell) * width) / svgWidth);
        // 192.168.1.64/26 is block 5 of 192.168.0.0/16; calico-ipam-worker is the second busiest node: orange (#f28e2b) at 30%.
        const [r, g, b] = at(5, 0.3);
        assert.ok(r > g + 15 && g > b + 15, `worker's block is orange-ish, got ${[r, g, b]}`);
        assert.deepEqual(at(0, 0.5).slice(0, 3), [238, 240, 243], "192.168.0.0/26 is unclaimed");
      });
    }

    it("renders the 200-node picture and the 10,240-block picture without error", () => {
      const png = render(svgOf(largeState(10_240, 200)), 1200);
      assert.equal(png.width, 1200);
      assert.ok(png.height > 600);
    });
  });
});
