// `pulumi preview` of a brand-new stack: no host, no cluster, no kubeconfig yet.
import * as assert from "node:assert/strict";
import { buildLabForTest, calls, valueOf } from "../support/lab-harness";
import { setPreview } from "../support/mocks";

describe("preview of a new stack", () => {
  before(() => setPreview(true));
  after(() => setPreview(false));

  it("declares the whole lab without touching a cluster", async () => {
    const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" });
    for (const type of [
      "aws:ec2/instance:Instance",
      "command:remote:Command",
      "kubernetes:operator.tigera.io/v1:Installation",
      "kubernetes:operator.tigera.io/v1:APIServer",
    ]) {
      assert.ok(lab.ofType(type).length > 0, `${type} missing from the preview`);
    }
    // The kubeconfig does not exist yet: nothing may wait for Calico or read IPAM.
    assert.deepEqual(calls, []);
    await assert.rejects(valueOf(lab.outputs.kubeconfig, 300), /never resolved/);
    // What is known from config alone is shown.
    assert.equal(await valueOf(lab.outputs.calicoVersion), "v3.30.7");
    assert.deepEqual(((await valueOf(lab.outputs.ipPools)) as { cidr: string }[]).map((p) => p.cidr), ["192.168.0.0/16"]);
  });
});
