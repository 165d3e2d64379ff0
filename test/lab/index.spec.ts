// index.ts itself: the stack config as Pulumi hands it over, through to the program's outputs.
// Run as a new stack's preview, so none of the real dependencies reaches a cluster or the network.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { setPreview } from "../support/mocks";
import { valueOf } from "../support/lab-harness";

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
    const pool = (await valueOf(outputs.ipPool)) as { blockSize: number };
    assert.equal(pool.blockSize, 24);
    assert.deepEqual(((await valueOf(outputs.ipPlan)) as { nodes: number }).nodes, 4);
  });

  it("stops on a misspelt key before declaring anything", async () => {
    pulumi.runtime.setAllConfig({ "calico-ipam:allowedCidrs": "127.0.0.1/32", "calico-ipam:blocksize": "24" });
    await assert.rejects(program()(), /calico-ipam:blocksize is not a setting of this lab: did you mean blockSize\?/);
  });
});
