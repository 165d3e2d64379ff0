// Issue 17 item 7: while `pulumi up` waits for Calico (up to calicoTimeoutMinutes), it says what it
// waits for in Pulumi's log instead of staying silent.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { READY_COMPONENTS } from "../../lib/calico/ready";
import { buildLabForTest, fakeDeps } from "../support/lab-harness";

describe("the Calico wait in pulumi up", () => {
  it("waits for calico, apiserver and ippools, and logs what it still waits for", async () => {
    const seen: { components?: readonly string[]; timeoutMs?: number } = {};
    const logged: string[] = [];
    const info = pulumi.log.info;
    (pulumi.log as { info: typeof pulumi.log.info }).info = async (message: string) => {
      logged.push(message);
    };
    try {
      const deps = fakeDeps({
        waitForCalico: async (_kubeconfig, options) => {
          Object.assign(seen, { components: options.components, timeoutMs: options.timeoutMs });
          options.onProgress({ elapsedMs: 95_000, timeoutMs: options.timeoutMs, waitingFor: ['TigeraStatus "ippools" not created yet by the operator'] });
          return { timings: { calicoReadySeconds: 142 } };
        },
      });
      const lab = await buildLabForTest({ allowedCidrs: "127.0.0.1/32", calicoTimeoutMinutes: "20" }, deps);
      await new Promise((resolve) => lab.outputs.timings.apply(resolve));
    } finally {
      (pulumi.log as { info: typeof pulumi.log.info }).info = info;
    }
    assert.deepEqual(seen, { components: READY_COMPONENTS, timeoutMs: 20 * 60_000 });
    assert.deepEqual(logged.filter((m) => m.startsWith("waiting for Calico")), [
      'waiting for Calico (1m35s of 20m): TigeraStatus "ippools" not created yet by the operator',
    ]);
  });
});
