// index.ts itself: the stack config as Pulumi hands it over, through to the program's outputs.
// Run as a new stack's preview, so none of the real dependencies reaches a cluster or the network.
import * as assert from "node:assert/strict";
import * as util from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { setPreview } from "../support/mocks";
import { valueOf } from "../support/lab-harness";
import { closedPort, fakeKubeconfig } from "../support/fake-apiserver";
import { realLocalHost } from "../../lib/host/local-host";
import { localPreflight } from "../../lib/host/preflight";

/**
 * What `pulumi preview` prints for an error the program throws: Pulumi's Node runtime logs a RunError's
 * message alone and anything else with its stack and util.inspect's dump of its properties
 * (sdk/nodejs/cmd/run/run.ts, uncaughtHandler; sdk/nodejs/cmd/run/error.ts, defaultErrorMessage).
 */
function printedByPulumi(err: unknown): string {
  return pulumi.RunError.isInstance(err) ? (err as Error).message : `failed with an unhandled exception:\n${util.inspect(err)}`;
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return printedByPulumi(err);
  }
  return assert.fail("the program did not stop");
}

type Program = () => Promise<Record<string, pulumi.Output<unknown>>>;

describe("index.ts (the Pulumi program)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = (): Program => require("../../index") as Program;

  before(() => setPreview(true));
  after(async () => {
    pulumi.runtime.setAllConfig({});
    await setPreview(false);
  });

  it("reads the calico-ipam namespace of the stack config", async () => {
    pulumi.runtime.setAllConfig({
      "aws:region": "us-east-1",
      "calico-ipam:allowedCidrs": '["127.0.0.1/32"]',
      "calico-ipam:blockSize": "24",
      "calico-ipam:workers": "3",
    });
    const outputs = await program()();
    const [pool] = (await valueOf(outputs.ipPools)) as { blockSize: number }[];
    assert.equal(pool.blockSize, 24);
    assert.deepEqual(((await valueOf(outputs.ipPlan)) as { nodes: number }[])[0].nodes, 4);
  });

  it("stops on bad config with the problem list alone: no stack trace, no second copy", async () => {
    pulumi.runtime.setAllConfig({ "calico-ipam:allowedCidrs": "127.0.0.1/32", "calico-ipam:blocksize": "24", "calico-ipam:workers": "0" });
    const printed = await failureOf(program()());
    assert.match(printed, /^calico-ipam: 2 configuration problems:\n {2}- /);
    assert.equal(printed.split("calico-ipam:blocksize is not a setting of this lab: did you mean blockSize?").length, 2, printed);
    assert.doesNotMatch(printed, /\n\s+at /, "no stack frames");
  });

  it("stops on an existing cluster it cannot reach with one line", async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    pulumi.runtime.setAllConfig({ "calico-ipam:target": "existing", "calico-ipam:kubeconfig": fakeKubeconfig(server) });
    const printed = await failureOf(program()());
    assert.equal(printed, `calico-ipam: cannot reach the Kubernetes API at ${server} (ECONNREFUSED)`);
  });

  it("stops on a machine without the local target's tools with the list of what is missing", async function () {
    if (localPreflight(realLocalHost) === undefined) {
      console.log("      skipped: this machine has docker, containerlab, kind, kubectl and root: no preflight failure to show");
      this.skip();
    }
    pulumi.runtime.setAllConfig({ "calico-ipam:target": "local" });
    const printed = await failureOf(program()());
    assert.match(printed, /^calico-ipam: target "local" needs these on this machine:\n {2}- /);
    assert.doesNotMatch(printed, /\n\s+at /);
  });
});
