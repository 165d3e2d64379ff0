import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { nodeNames, renderKindConfig, renderTopology, ClusterShape } from "../../lib/cluster/topology";
import { pointKubeconfigAt } from "../../lib/cluster/kubeconfig";
import { MOCK_KUBECONFIG } from "../support/mocks";

const shape: ClusterShape = {
  labName: "calico-ipam",
  nodeImage: "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f",
  workers: 3,
  podCidr: "192.168.0.0/16",
  serviceCidr: "10.96.0.0/16",
  apiServer: { exposure: "public", certSans: ["127.0.0.10", "ec2-127-0-0-10.compute-1.amazonaws.com"] },
};

describe("rendered cluster files", () => {
  it("names the nodes as kind will", () => {
    assert.deepEqual(nodeNames(shape).map((n) => n.name), [
      "calico-ipam-control-plane", "calico-ipam-worker", "calico-ipam-worker2", "calico-ipam-worker3",
    ]);
  });

  it("is deterministic: same shape, same bytes", () => {
    assert.equal(renderTopology({ ...shape }), renderTopology(shape));
    assert.equal(renderKindConfig({ ...shape }), renderKindConfig(shape));
  });

  it("gives the API server certificate every name clients use", () => {
    const config = parse(renderKindConfig(shape));
    const patch = parse(config.kubeadmConfigPatches[0]);
    assert.equal(patch.kind, "ClusterConfiguration");
    assert.deepEqual(patch.apiServer.certSANs, ["localhost", "127.0.0.1", ...(shape.apiServer as { certSans: string[] }).certSans]);
  });

  it("leaves a loopback lab to kind's defaults", () => {
    const config = parse(renderKindConfig({ ...shape, apiServer: { exposure: "loopback" } }));
    assert.equal(config.networking.apiServerAddress, undefined);
    assert.equal(config.kubeadmConfigPatches, undefined);
    assert.equal(config.networking.disableDefaultCNI, true);
  });
});

describe("kubeconfig", () => {
  it("points every cluster at the reachable address and keeps the credentials", () => {
    const moved = parse(pointKubeconfigAt(MOCK_KUBECONFIG, "https://127.0.0.10:6443"));
    assert.equal(moved.clusters[0].cluster.server, "https://127.0.0.10:6443");
    assert.equal(moved.users[0].user["client-key-data"], "S0VZCg==");
  });

  it("says what is wrong when kind printed nothing, or no cluster", () => {
    assert.throws(() => pointKubeconfigAt("", "https://127.0.0.10:6443"), /^Error: calico-ipam: the kubeconfig `kind get kubeconfig` printed on the host cannot be used: the kubeconfig is empty$/);
    assert.throws(() => pointKubeconfigAt("apiVersion: v1\nclusters: []\n", "https://127.0.0.10:6443"), /printed on the host has no cluster; is the kind cluster running on the host\?/);
  });

  it("says where a broken kubeconfig breaks, never what it holds", () => {
    const canary = "canary-client-key-must-never-appear";
    const broken = MOCK_KUBECONFIG.replace("client-key-data: S0VZCg==", `client-key-data: [${canary}`);
    assert.throws(() => pointKubeconfigAt(broken, "https://127.0.0.10:6443"), (err: Error) => {
      assert.doesNotMatch(err.message, new RegExp(canary));
      // The one kubeconfig reader's words (lib/core/kube-config.ts), as for the user's own kubeconfig.
      assert.match(err.message, /cannot be used: the kubeconfig is not valid YAML: .* at line \d+, column \d+/);
      return true;
    });
  });
});
