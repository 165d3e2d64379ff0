// Issue 5, part 3: the containerlab topology the deploy command carries (its TOPOLOGY assignment,
// read back as bash reads it) meets containerlab v0.79.0's JSON schema, with extras.k8s_kind held
// to the two fields containerlab reads there. Checked for both targets that deploy a cluster.
import * as assert from "node:assert/strict";
import type { RawConfig } from "../../lib/config";
import { assertNoProblems, missingUpstream, skipIfMissing, UPSTREAM, upstreamFile } from "./support/environment";
import { labArtifacts, parseYamlStrictly } from "./support/lab-artifacts";
import { bashSingleQuotedValue } from "../support/lab-harness";
import { topologyChecker, TopologyChecker } from "./support/topology";

const TARGETS: [string, RawConfig][] = [
  ["aws", {}],
  ["local", { target: "local" }],
];

/** kind's rule for cluster names, which containerlab takes from the node name. */
const KIND_CLUSTER_NAME = /^[a-z0-9.-]{1,50}$/;

describe("conformance: containerlab topology (clab.schema.json v0.79.0)", function () {
  let checker: TopologyChecker;

  before(function () {
    skipIfMissing(this, missingUpstream(UPSTREAM.clabSchema));
    checker = topologyChecker(upstreamFile(UPSTREAM.clabSchema));
  });

  for (const [target, raw] of TARGETS) {
    it(`target ${target}: the TOPOLOGY the deploy command writes meets the schema`, async () => {
      const { deployScript } = await labArtifacts(raw);
      const topology = parseYamlStrictly(bashSingleQuotedValue(deployScript, "TOPOLOGY"), "TOPOLOGY");
      assertNoProblems(`topology (target ${target})`, checker.problems(topology));
    });

    it(`target ${target}: its k8s-kind node points at the kind config the command writes beside it`, async () => {
      const { deployScript } = await labArtifacts(raw);
      const labName = bashSingleQuotedValue(deployScript, "LAB_NAME");
      const topology = parseYamlStrictly(bashSingleQuotedValue(deployScript, "TOPOLOGY"), "TOPOLOGY") as {
        topology: { nodes: Record<string, Record<string, unknown>> };
      };
      const kindNodes = Object.entries(topology.topology.nodes).filter(([, node]) => node.kind === "k8s-kind");
      assert.equal(kindNodes.length, 1, "one k8s-kind node");
      const [name, node] = kindNodes[0];
      assert.match(name, KIND_CLUSTER_NAME, "the node name becomes the kind cluster name");
      // deploy-cluster.sh writes "$LAB_DIR/$LAB_NAME.kind.yaml" next to the topology file.
      assert.equal(node["startup-config"], `${labName}.kind.yaml`);
    });
  }

  // On a small valid topology of its own, so these hold whatever the program renders.
  describe("the checker itself", () => {
    const variant = (change: (topology: Record<string, unknown>) => void): string[] => {
      const topology: Record<string, unknown> = {
        name: "lab",
        topology: { nodes: { "calico-ipam": { kind: "k8s-kind", extras: { k8s_kind: { deploy: { wait: "0s" } } } } } },
      };
      assert.deepEqual(checker.problems(topology), [], "the checker's own baseline is valid");
      change(topology);
      return checker.problems(topology);
    };
    const node = (t: Record<string, unknown>) => {
      const nodes = (t.topology as { nodes: Record<string, Record<string, unknown>> }).nodes;
      return Object.values(nodes)[0];
    };
    const deploy = (t: Record<string, unknown>) =>
      ((node(t).extras as Record<string, unknown>).k8s_kind as Record<string, Record<string, unknown>>).deploy;

    it("refuses an unknown key, naming it", () => {
      assert.deepEqual(variant((t) => Object.assign(node(t), { startup_config: "x" })), [
        '/topology/nodes/calico-ipam: unknown field "startup_config"',
      ]);
    });

    it("holds extras.k8s_kind to deploy.kubeconfig and deploy.wait (a Go duration)", () => {
      assert.deepEqual(variant((t) => Object.assign(deploy(t), { kubeconfig: "/root/kc", wait: "1m30s" })), []);
      const wait = variant((t) => Object.assign(deploy(t), { wait: "90" }));
      assert.equal(wait.length, 1);
      assert.match(wait[0], /^\/topology\/nodes\/calico-ipam\/extras\/k8s_kind\/deploy\/wait: must match pattern .* \(got "90"\)$/);
      assert.deepEqual(variant((t) => Object.assign(deploy(t), { timeout: "1m" })), [
        '/topology/nodes/calico-ipam/extras/k8s_kind/deploy: unknown field "timeout"',
      ]);
    });

    it("still judges the rest of extras by the schema", () => {
      assert.deepEqual(variant((t) => Object.assign(node(t).extras as object, { "srl-agents": ["x"] })), [
        '/topology/nodes/calico-ipam/extras: unknown field "srl-agents"',
      ]);
    });
  });
});
