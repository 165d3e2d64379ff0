// `npm run docs`: what the README shows a user (the `summary` line, the `--show-blocks` table, the cost
// table) and docs/ipam-example.svg, made by the program's own code from the test fixtures
// (test/fixtures/ipam), never written by hand. test/docs.spec.ts fails when the committed copies differ
// from what the code now produces: run `npm run docs` and commit the result.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseLabConfig } from "../lib/config";
import { awsHostCost, dollars, EC2_USD_PER_HOUR, PRICE_REGION, PRICE_SOURCES } from "../lib/host/aws-cost";
import { analyseSnapshot } from "../lib/ipam/reader";
import { renderUtilization } from "../lib/ipam/show";
import { stackSummary } from "../lib/ipam/stack-summary";
import { renderIpamSvg } from "../lib/ipam/svg";
import { fixtureSnapshot } from "../test/ipam/fixture-state";

export const ROOT = path.join(__dirname, "..");
export const README = path.join(ROOT, "README.md");
export const EXAMPLE_SVG = path.join(ROOT, "docs", "ipam-example.svg");

/** The picture's clock: a few minutes after the fixtures' Calico was Available (00:22:45), so it never changes. */
const FIXTURE_TIME = new Date("2025-11-24T00:25:00Z");

function fence(text: string): string {
  return ["```", text.replace(/\n$/, ""), "```"].join("\n");
}

function costTable(): string {
  const config = parseLabConfig({});
  const cost = awsHostCost(config);
  const perHour = cost.usdPerHour as number;
  const others = Object.entries(EC2_USD_PER_HOUR).filter(([type]) => type !== config.instanceType);
  const rest = cost.lines.slice(1).reduce((sum, line) => sum + (line.usdPerHour as number), 0);
  return [
    `| ${PRICE_REGION}, on demand | price | per hour |`,
    "|---|---|---|",
    ...cost.lines.map((line) => `| ${line.what} | ${line.price} | $${(line.usdPerHour as number).toFixed(4)} |`),
    `| **the lab** | | **about ${dollars(perHour)}/h, ${dollars(perHour * 24)} a day** |`,
    "",
    `Other instance types the \`summary\` prices: ${others.map(([type, usd]) => `${type} $${usd}/h`).join(", ")}; ` +
      `for any other type it gives the rest, about ${dollars(rest)}/h, beside the type's own price. Prices from ${PRICE_SOURCES.ec2}, ` +
      `${PRICE_SOURCES.ebs} and ${PRICE_SOURCES.publicIpv4} (a month is 730 hours), kept in \`lib/host/aws-cost.ts\`.`,
  ].join("\n");
}

/** Each generated README section, by marker name. */
export function generatedSections(): Record<string, string> {
  const { state, checked } = analyseSnapshot(fixtureSnapshot());
  return {
    summary: fence(stackSummary(parseLabConfig({}), state.ipam)),
    "show-blocks": fence(`$ npm run -s ipam -- --show-blocks\n${renderUtilization(checked, true)}`),
    cost: costTable(),
  };
}

export function exampleSvg(): string {
  const { state } = analyseSnapshot(fixtureSnapshot());
  return renderIpamSvg(state, { cluster: "the test fixtures", at: FIXTURE_TIME }).svg;
}

const begin = (name: string): string => `<!-- npm run docs: ${name} -->`;
const end = (name: string): string => `<!-- end of npm run docs: ${name} -->`;

/** The README with every generated section replaced by what the code produces now. */
export function regenerateReadme(readme: string): string {
  let text = readme;
  for (const [name, content] of Object.entries(generatedSections())) {
    const from = text.indexOf(begin(name));
    const to = text.indexOf(end(name));
    if (from < 0 || to < from) throw new Error(`README.md has no "${begin(name)}" ... "${end(name)}" section`);
    text = `${text.slice(0, from + begin(name).length)}\n${content}\n${text.slice(to)}`;
  }
  return text;
}

if (require.main === module) {
  fs.writeFileSync(README, regenerateReadme(fs.readFileSync(README, "utf8")));
  fs.mkdirSync(path.dirname(EXAMPLE_SVG), { recursive: true });
  fs.writeFileSync(EXAMPLE_SVG, exampleSvg());
  process.stderr.write(`wrote README.md's generated sections and ${path.relative(ROOT, EXAMPLE_SVG)}\n`);
}
