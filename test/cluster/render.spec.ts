import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { nodeNames, renderKindConfig, renderTopology, ClusterShape } from "../../lib/cluster/topology";
import { renderCloudInit } from "../../lib/host/cloud-init";
import { pointKubeconfigAt } from "../../lib/cluster/kubeconfig";
import { MOCK_KUBECONFIG } from "../support/mocks";

const shape: ClusterShape = {
  labName: "calico-ipam",
  kubernetesVersion: "v1.28.0",
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

describe("cloud-init", () => {
  const userData = renderCloudInit({ kubernetesVersion: "v1.28.0", calicoVersion: "v3.30.7" });
  const doc = parse(userData);

  it("is a #cloud-config document that raises kind's inotify limits", () => {
    assert.ok(userData.startsWith("#cloud-config\n"));
    const sysctl = doc.write_files.find((f: { path: string }) => f.path.startsWith("/etc/sysctl.d/"));
    assert.match(sysctl.content, /fs\.inotify\.max_user_watches = 524288/);
    assert.match(sysctl.content, /fs\.inotify\.max_user_instances = 512/);
  });

  it("pins every tool, kubectl and calicoctl to the stack's versions", () => {
    const script = doc.write_files.find((f: { path: string }) => f.path.includes("install-tools")).content as string;
    for (const pin of [/^DOCKER_VERSION='5:28\.5\.1-1~ubuntu\.24\.04~noble'$/m, /^CONTAINERLAB_VERSION='v0\.79\.0'$/m, /^KIND_VERSION='v0\.31\.0'$/m,
      /^KUBECTL_VERSION='v1\.28\.0'$/m, /^CALICOCTL_VERSION='v3\.30\.7'$/m]) {
      assert.match(script, pin);
    }
    assert.doesNotMatch(script, /curl[^\n]*\|\s*(sudo )?(ba)?sh/, "no curl|bash installers");
    assert.deepEqual(doc.runcmd.at(-1), ["/usr/local/sbin/calico-ipam-install-tools"]);
  });
});

describe("kubeconfig", () => {
  it("points every cluster at the reachable address and keeps the credentials", () => {
    const moved = parse(pointKubeconfigAt(MOCK_KUBECONFIG, "https://127.0.0.10:6443"));
    assert.equal(moved.clusters[0].cluster.server, "https://127.0.0.10:6443");
    assert.equal(moved.users[0].user["client-key-data"], "S0VZCg==");
  });

  it("says what is wrong when kind printed no cluster", () => {
    assert.throws(() => pointKubeconfigAt("", "https://127.0.0.10:6443"), /printed no cluster/);
  });
});
