// The rules by which the cluster stages of `timings` are kept as first read (lib/calico/recorded-timings.ts);
// test/lab/lifecycle.spec.ts runs them through the engine's Stash across a user's ups.
import { strict as assert } from "node:assert";
import { fillTrigger, installTrigger, recordedTimings } from "../../lib/calico/recorded-timings";

describe("recorded cluster timings", () => {
  const install = installTrigger("6b1c2d3e-0000-4000-8000-000000000031");

  it("names the install by the Installation's uid, and an unread one as unread", () => {
    assert.equal(install, "installation 6b1c2d3e-0000-4000-8000-000000000031");
    assert.equal(installTrigger(undefined), "installation unread");
    assert.notEqual(installTrigger("another-uid"), install);
  });

  it("keeps the first reading's stages over any later reading", () => {
    const first = { operatorRunningSeconds: 21, calicoReadySeconds: 142 };
    assert.deepEqual(recordedTimings(first, { operatorRunningSeconds: 99, calicoReadySeconds: 86_400 }), first);
  });

  it("fills a stage the first reading lacks from the fill reading, and leaves out one neither has", () => {
    const first = { calicoReadySeconds: 142 };
    assert.deepEqual(recordedTimings(first, { calicoReadySeconds: 900, ipamProbeReadySeconds: 151 }), { calicoReadySeconds: 142, ipamProbeReadySeconds: 151 });
    assert.deepEqual(recordedTimings(first, {}), { calicoReadySeconds: 142 });
    assert.deepEqual(recordedTimings(undefined, undefined), {});
  });

  it("changes the fill trigger only when the stages a reading could fill change", () => {
    const first = { calicoReadySeconds: 142 };
    const lacking = fillTrigger(install, first, { calicoReadySeconds: 900 });
    assert.equal(lacking, install);
    const filling = fillTrigger(install, first, { calicoReadySeconds: 900, ipamProbeReadySeconds: 151 });
    assert.equal(filling, `${install} ipamProbeReadySeconds`);
    // Later readings with other values (a restart) give the same trigger: the fill is kept.
    assert.equal(fillTrigger(install, first, { calicoReadySeconds: 86_400, ipamProbeReadySeconds: 86_410 }), filling);
    // A complete first reading never asks for a fill.
    assert.equal(fillTrigger(install, { calicoReadySeconds: 142, ipamProbeReadySeconds: 151 }, { calicoReadySeconds: 1, ipamProbeReadySeconds: 2 }), install);
  });
});
