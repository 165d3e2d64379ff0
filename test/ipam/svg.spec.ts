import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { stateFromSnapshot } from "../../lib/ipam/reader";
import { renderIpamSvg } from "../../lib/ipam/svg";
import type { IpamSnapshot, IpamState } from "../../lib/ipam/types";
import { loadFixtureItems } from "../support/fake-apiserver";

function fixtureState(): IpamState {
  return stateFromSnapshot({
    ippools: loadFixtureItems("ippools.json"),
    ipamblocks: loadFixtureItems("ipamblocks.json"),
    blockaffinities: loadFixtureItems("blockaffinities.json"),
    nodes: loadFixtureItems("nodes.json"),
    tigerastatuses: loadFixtureItems("tigerastatuses.json"),
  } as IpamSnapshot);
}

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
    const tag = match[0];
    const close = CLOSE.exec(tag);
    const open = OPEN.exec(tag);
    if (close) {
      const expected = stack.pop();
      if (expected !== close[1]) problems.push(`</${close[1]}> closes <${expected}>`);
    } else if (open) {
      if (!TEXT_OK.test(open[2].replace(/"/g, ""))) problems.push(`bad attribute text in ${tag}`);
      if (stack.length === 0) roots += 1;
      if (open[3] !== "/") stack.push(open[1]);
    } else {
      problems.push(`malformed tag ${tag}`);
    }
  }
  if (!TEXT_OK.test(body.slice(last))) problems.push("bad trailing text");
  if (stack.length > 0) problems.push(`unclosed ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

describe("IPAM SVG map", () => {
  const state = fixtureState();
  const svg = renderIpamSvg(state);

  it("is well-formed SVG (tag balance check)", () => {
    assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
    assert.deepEqual(xmlProblems(svg), []);
  });

  it("the balance check itself catches broken markup", () => {
    assert.notDeepEqual(xmlProblems("<svg><g></svg>"), []);
    assert.notDeepEqual(xmlProblems("<svg><text>a & b</text></svg>"), []);
    assert.notDeepEqual(xmlProblems('<svg><rect x="1></svg>'), []);
  });

  it("passes xmllint when xmllint is installed", function () {
    const run = spawnSync("xmllint", ["--noout", "-"], { input: svg, encoding: "utf8" });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
      console.log("      (xmllint not on PATH: install libxml2-utils to run this check)");
      this.skip();
    }
    assert.equal(run.status, 0, run.stderr);
  });

  it("names every node and every claimed block, orphans included, with a tooltip per block", () => {
    for (const node of ["calico-ipam-control-plane", "calico-ipam-worker", "calico-ipam-worker2"]) {
      assert.ok(svg.includes(`>${node}</text>`), `legend row for ${node}`);
    }
    for (const block of [...state.ipam.blocks, ...state.ipam.orphanBlocks]) {
      assert.ok(svg.includes(`<title>${block.cidr} · ${block.node}`), `tooltip for ${block.cidr}`);
    }
    assert.equal((svg.match(/<g class="block/g) ?? []).length, 6);
  });

  it("draws the /16 pool as a 32 x 32 grid of /26 blocks, titled with its cidr", () => {
    assert.match(svg, /<title>Calico IPAM: 192\.168\.0\.0\/16, 10\.48\.0\.0\/24<\/title>/);
    assert.match(svg, /IP pool 192\.168\.0\.0\/16 \(default-ipv4-ippool\): 14 of 65536 addresses in use/);
    // 2^(26-16) = 1024 cells: 32 columns of 16 px.
    assert.match(svg, /<rect class="pool-grid" x="\d+" y="\d+" width="512" height="512" fill="url\(#unclaimed-0\)"\/>/);
    assert.match(svg, />1024 blocks of \/26, 4 claimed; grey: unclaimed</);
    // The /24 pool of /28 blocks: 2^(28-24) = 16 cells.
    assert.match(svg, />16 blocks of \/28, 1 claimed; grey: unclaimed</);
  });

  it("fills each block in proportion to its addresses in use, in its node's colour", () => {
    const cell = (cidr: string): string => svg.split("\n").find((l) => l.includes(`<title>${cidr} `)) ?? "";
    // 192.168.0.64/26: 5 of 64 in use, 16 px cell: 16 * 5 / 64 = 1.25 px of fill.
    assert.match(cell("192.168.0.64/26"), /height="1\.25" fill="#[0-9a-f]{6}"\/><\/g>$/);
    // 192.168.2.192/26 (pendingDeletion): nothing in use, no fill rectangle.
    assert.equal((cell("192.168.2.192/26").match(/<rect /g) ?? []).length, 1);
    const colour = (cidr: string): string => cell(cidr).match(/fill="(#[0-9a-f]{6})"/)?.[1] ?? "";
    assert.equal(colour("192.168.2.0/26"), colour("10.48.0.16/28"), "both worker2's");
    assert.notEqual(colour("192.168.2.0/26"), colour("192.168.1.64/26"));
  });

  it("has a legend with each node's blocks and addresses in use", () => {
    assert.match(svg, />calico-ipam-worker2<\/text><text [^>]*>3<\/text><text [^>]*>5 \(\+1 borrowed\)<\/text>/);
    assert.match(svg, />calico-ipam-worker<\/text><text [^>]*>2<\/text><text [^>]*>7<\/text>/);
  });

  it("escapes names so odd text cannot break the document", () => {
    const odd: IpamState = {
      blockAffinities: [],
      tigeraStatus: {},
      ipam: {
        pools: [{ name: `p<&>"'`, cidr: "10.1.0.0/24", blockSize: 26, ipsTotal: 256, ipsInUse: 1, ipsFree: 255 }],
        blocks: [{ cidr: "10.1.0.0/26", node: "n<1>&", pool: `p<&>"'`, ipsTotal: 64, ipsInUse: 1, ipsFree: 63 }],
        orphanBlocks: [],
        nodes: [{ name: "n<1>&", blocks: 1, ipsInUse: 1, ipsBorrowed: 0 }],
      },
    };
    const out = renderIpamSvg(odd);
    assert.deepEqual(xmlProblems(out), []);
    assert.ok(out.includes("n&lt;1&gt;&amp;"));
    assert.ok(out.includes("p&lt;&amp;&gt;&quot;&apos;"));
    assert.ok(!out.includes("n<1>"));
  });
});
