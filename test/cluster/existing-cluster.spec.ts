// Target existing: what the program learns from the user's cluster before declaring anything,
// read from a real HTTP server on 127.0.0.1.
import * as assert from "node:assert/strict";
import { inspectExistingCluster } from "../../lib/cluster/existing-cluster";
import { closedPort, fakeKubeconfig, FakeApiServer, PATHS, startFakeApiServer } from "../support/fake-apiserver";

const kubeadmConfig = (podSubnet: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "kubeadm-config", namespace: "kube-system" },
  data: { ClusterConfiguration: `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: ${podSubnet}\n  serviceSubnet: 10.96.0.0/12\n` },
});

describe("inspecting an existing cluster", () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(() => server.close());

  it("finds kubeadm's podSubnet and a running Tigera operator", async () => {
    server.setObject(PATHS.kubeadmConfig, kubeadmConfig("10.244.0.0/16"));
    server.setObject(PATHS.operatorNamespace, { apiVersion: "v1", kind: "Namespace", metadata: { name: "tigera-operator" } });
    assert.deepEqual(await inspectExistingCluster(fakeKubeconfig(server.url)), { kubeadmPodSubnet: "10.244.0.0/16", operatorInstalled: true, owner: undefined });
  });

  it("goes on without kubeadm's ConfigMap (a cluster not made by kubeadm)", async () => {
    assert.deepEqual(await inspectExistingCluster(fakeKubeconfig(server.url)), { kubeadmPodSubnet: undefined, operatorInstalled: false, owner: undefined });
  });

  it("says in one line when the user may not read it", async () => {
    server.failWith(PATHS.kubeadmConfig, 403);
    await assert.rejects(inspectExistingCluster(fakeKubeconfig(server.url)), /^KubeReadError: calico-ipam: forbidden: user "lab-viewer" may not get configmaps/);
  });

  it("says in one line when the cluster cannot be reached", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await assert.rejects(inspectExistingCluster(fakeKubeconfig(url)), (err: Error) => {
      assert.match(err.message, /^calico-ipam: cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
      return true;
    });
  });

  it("says in one line when kubeadm's podSubnet is not a string, or its YAML is broken (issue 19 item 10)", async () => {
    for (const [clusterConfiguration, says] of [
      ["networking:\n  podSubnet: [10.244.0.0/16]\n", /^calico-ipam: kube-system\/kubeadm-config's ClusterConfiguration has a networking\.podSubnet that is not a CIDR string \(a list\)/],
      ["networking:\n  podSubnet: 42\n", /that is not a CIDR string \(a number\)/],
      ["networking: [\n  podSubnet: {\n", /^calico-ipam: kube-system\/kubeadm-config's ClusterConfiguration is not valid YAML \(.* at line \d+\)$/],
    ] as const) {
      server.setObject(PATHS.kubeadmConfig, { ...kubeadmConfig(""), data: { ClusterConfiguration: clusterConfiguration } });
      await assert.rejects(inspectExistingCluster(fakeKubeconfig(server.url)), (err: Error) => {
        assert.match(err.message, says);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    }
  });
});
