// The fake cluster data the experiment outcome tests read (test/support/fake-cluster.ts) has shapes the
// real API server could return: Calico's CRDs for IPPool, IPAMBlock and BlockAffinity, the Kubernetes
// types for Pod, Event, Namespace and Node. So the workloads report is never tested on invented shapes.
import * as assert from "node:assert/strict";
import type { PoolSettings } from "../../lib/core/types";
import { FakeCluster } from "../support/fake-cluster";
import { builtinProblems, isBuiltinKind } from "./support/builtin-objects";
import { crdValidator, CrdValidator } from "./support/crd-schema";
import { assertNoProblems, missingUpstream, skipIfMissing, UPSTREAM, upstreamFile } from "./support/environment";

const CRDS = { IPPool: "ippools", IPAMBlock: "ipamblocks", BlockAffinity: "blockaffinities" } as const;

const pool = (name: string, cidr: string, more: Partial<PoolSettings> = {}): PoolSettings => ({
  name, cidr, blockSize: cidr.includes(":") ? 122 : 26, encapsulation: cidr.includes(":") ? "None" : "VXLANCrossSubnet",
  natOutgoing: cidr.includes(":") ? "Disabled" : "Enabled", nodeSelector: "all()", disableNewAllocations: false, assignmentMode: "Automatic", ...more,
});

function everyKind(): FakeCluster {
  const q = { name: "web", namespace: "team-a", replicas: 4, template: "abc123" };
  return new FakeCluster(["n1", "n2"])
    .pool(pool("v4", "192.168.0.0/16", { nodeSelector: "rack == 'a'", disableNewAllocations: true }))
    .pool(pool("v6", "fd00:10:244::/56"))
    .namespace("team-a", { "cni.projectcalico.org/ipv4pools": '["v4"]' })
    .block("192.168.0.0/26", "n1", 3)
    .block("fd00:10:244::/122", "n1", 1)
    .pod(q, "web-0", "n1", ["192.168.0.0/26", "fd00:10:244::/122"], { "cni.projectcalico.org/ipv4pools": '["v4"]' })
    .failingPod(q, "web-1", "n2", "cannot allocate new block due to per host block limit")
    .unschedulablePod(q, "web-2", "0/2 nodes are available: 2 Too many pods.");
}

describe("conformance: the experiments' fake cluster data (Calico CRDs, Kubernetes types)", function () {
  const validators = new Map<string, CrdValidator>();

  before(function () {
    skipIfMissing(this, missingUpstream(...Object.values(CRDS).map(UPSTREAM.calicoCrd)));
    for (const [kind, plural] of Object.entries(CRDS)) validators.set(kind, crdValidator(upstreamFile(UPSTREAM.calicoCrd(plural))));
  });

  it("holds every kind the readers read", () => {
    const kinds = new Set(everyKind().objects().map((o) => o.kind));
    assert.deepEqual([...kinds].sort(), ["BlockAffinity", "Event", "IPAMBlock", "IPPool", "Namespace", "Node", "Pod"]);
  });

  it("every object is valid for its CRD or Kubernetes type", () => {
    const problems = everyKind().objects().flatMap((object, i) => {
      const label = `${String(object.kind)} #${i}`;
      const crd = validators.get(String(object.kind));
      if (crd) return crd.problems(object).map((p) => `${label}: ${p}`);
      if (isBuiltinKind(object.apiVersion, object.kind)) return builtinProblems(object).map((p) => `${label}: ${p}`);
      return [`${label}: no judge for ${String(object.apiVersion)} ${String(object.kind)}`];
    });
    assertNoProblems("fake cluster data", problems);
  });
});
