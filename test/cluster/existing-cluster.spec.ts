// Target existing: what the program learns from the user's cluster before declaring anything,
// read from a real HTTP server on 127.0.0.1.
import * as assert from "node:assert/strict";
import { calicoInstallProblem, inspectExistingCluster, OWNER_RECORD } from "../../lib/cluster/existing-cluster";
import { STACK_ANNOTATION, stackIdentity, takeoverProblem, type LabObject } from "../../lib/cluster/existing-objects";
import { parseLabConfig } from "../../lib/config";
import { experimentObjects } from "../../lib/ipam/workloads";
import { PROBE_OBJECT } from "../../lib/ipam/probe";
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
    assert.deepEqual(await inspectExistingCluster(fakeKubeconfig(server.url), []), { kubeadmPodSubnet: "10.244.0.0/16", operatorInstalled: true, owner: undefined, existing: [] });
  });

  it("reads the owner record a stack left", async () => {
    server.setObject(`/api/v1/namespaces/${OWNER_RECORD.namespace}/configmaps/${OWNER_RECORD.name}`, {
      apiVersion: "v1", kind: "ConfigMap", metadata: OWNER_RECORD, data: { stack: "calico-ipam/dev", calicoInstall: "installation" },
    });
    const facts = await inspectExistingCluster(fakeKubeconfig(server.url), []);
    assert.deepEqual(facts.owner, { stack: "calico-ipam/dev", calicoInstall: "installation" });
  });

  it("goes on without kubeadm's ConfigMap (a cluster not made by kubeadm)", async () => {
    assert.deepEqual(await inspectExistingCluster(fakeKubeconfig(server.url), []), { kubeadmPodSubnet: undefined, operatorInstalled: false, owner: undefined, existing: [] });
  });

  it("says in one line when the user may not read it", async () => {
    server.failWith(PATHS.kubeadmConfig, 403);
    await assert.rejects(inspectExistingCluster(fakeKubeconfig(server.url), []), /^KubeReadError: calico-ipam: forbidden: user "lab-viewer" may not get configmaps/);
  });

  it("says in one line when the cluster cannot be reached", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await assert.rejects(inspectExistingCluster(fakeKubeconfig(url), []), (err: Error) => {
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
      await assert.rejects(inspectExistingCluster(fakeKubeconfig(server.url), []), (err: Error) => {
        assert.match(err.message, says);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    }
  });
});

describe("calicoInstall against what the cluster runs", () => {
  const me = "calico-ipam/dev";
  const bare = { operatorInstalled: false };
  const theirs = { operatorInstalled: true };
  const ours = (calicoInstall: "operator" | "installation") => ({ operatorInstalled: true, owner: { stack: me, calicoInstall } });

  it("accepts what fits: operator on a bare cluster or its own, installation beside a user's operator, none anywhere", () => {
    assert.equal(calicoInstallProblem("operator", bare, me), undefined);
    assert.equal(calicoInstallProblem("operator", ours("operator"), me), undefined);
    assert.equal(calicoInstallProblem("installation", theirs, me), undefined);
    assert.equal(calicoInstallProblem("installation", ours("installation"), me), undefined);
    assert.equal(calicoInstallProblem("none", bare, me), undefined);
    assert.equal(calicoInstallProblem("none", theirs, me), undefined);
  });

  it("refuses to take over an operator it did not install", () => {
    assert.match(calicoInstallProblem("operator", theirs, me)!, /^calico-ipam:calicoInstall is "operator" \(the default\), but this cluster already runs a Tigera operator .* Set calico-ipam:calicoInstall to installation/);
    // installed beside the user's operator: still not ours to take
    assert.match(calicoInstallProblem("operator", ours("installation"), me)!, /already runs a Tigera operator that this stack did not install/);
  });

  it("refuses installation where no operator runs", () => {
    assert.match(calicoInstallProblem("installation", bare, me)!, /runs no Tigera operator .* Set calico-ipam:calicoInstall to operator/);
  });

  it("refuses a lower choice than the stack installed: the engine would delete the difference", () => {
    assert.match(calicoInstallProblem("installation", ours("operator"), me)!, /would delete the Tigera operator and Calico's CRDs.*Set calico-ipam:calicoInstall back to operator/);
    assert.match(calicoInstallProblem("none", ours("operator"), me)!, /back to operator/);
    assert.match(calicoInstallProblem("none", ours("installation"), me)!, /would delete the Installation and APIServer.*back to installation/);
  });

  it("refuses to manage Calico another stack manages, but lets it be read", () => {
    const other = { operatorInstalled: true, owner: { stack: "calico-ipam/prod", calicoInstall: "operator" as const } };
    assert.match(calicoInstallProblem("operator", other, me)!, /managed by the calico-ipam stack "calico-ipam\/prod"/);
    assert.match(calicoInstallProblem("installation", other, me)!, /managed by the calico-ipam stack/);
    assert.equal(calicoInstallProblem("none", other, me), undefined);
  });
});

describe("objects the lab would create on a cluster it did not make", () => {
  const me = "calico-ipam/dev";
  const apps: LabObject = { kind: "Namespace", name: "apps", key: 'calico-ipam:workloads[1].namespace', instead: "use a namespace that is not in the cluster yet (the lab creates it)" };
  const web: LabObject = { kind: "Deployment", namespace: "default", name: "web", key: "calico-ipam:workloads[0].name", instead: "give the workload a name of its own" };

  it("lets through what is new, and what this stack made", () => {
    assert.equal(takeoverProblem([apps, web], [], me, false), undefined);
    assert.equal(takeoverProblem([apps, web], [{ kind: "Namespace", name: "apps", stack: me }, { kind: "Deployment", namespace: "default", name: "web", stack: me }], me, false), undefined);
  });

  it("takes the probe's unmarked namespace as this stack's only where the owner record is this stack's (labs from before the marks)", () => {
    const unmarked = [{ kind: "Namespace" as const, name: "calico-ipam" }];
    assert.equal(takeoverProblem([PROBE_OBJECT], unmarked, me, true), undefined);
    assert.match(takeoverProblem([PROBE_OBJECT], unmarked, me, false)!, /- calico-ipam:ipamProbe: namespace calico-ipam is already in this cluster/);
    // A workload's namespace never: the user may have made it at any time.
    assert.match(takeoverProblem([apps], [{ kind: "Namespace", name: "apps" }], me, true)!, /namespace apps is already in this cluster/);
  });

  it("refuses, in one message naming each key and object, what the user or another stack has", () => {
    const message = takeoverProblem([apps, web], [{ kind: "Namespace", name: "apps" }, { kind: "Deployment", namespace: "default", name: "web", stack: "calico-ipam/prod" }], me, true)!;
    assert.match(message, /^calico-ipam: the config asks for objects this cluster already has, which this stack did not make: .*delete it on destroy \(a namespace with everything in it\)\. Nothing was changed\.\n/);
    assert.match(message, /\n {2}- calico-ipam:workloads\[1\]\.namespace: namespace apps is already in this cluster, not made by this stack: use a namespace that is not in the cluster yet/);
    assert.match(message, /\n {2}- calico-ipam:workloads\[0\]\.name: Deployment default\/web is already in this cluster, made by the calico-ipam stack "calico-ipam\/prod": give the workload a name of its own/);
    // Only the unmarked namespace may be this stack's from before the marks: one annotate line, for it alone.
    assert.match(message, /\nIf this stack did make it .*:\n {2}kubectl annotate namespace apps calico-ipam\/stack=calico-ipam\/dev$/);
    assert.doesNotMatch(message, /deployment web/);
  });

  it("tells two labs of the same stack name apart by stackId, and says how a lost stackId is set back", () => {
    const mine = stackIdentity("calico-ipam", "dev", "a1b2c3d4e5f6");
    assert.equal(mine, "calico-ipam/dev@a1b2c3d4e5f6");
    assert.equal(stackIdentity("calico-ipam", "dev", undefined), "calico-ipam/dev");
    // Another user's lab, also "dev", on the same cluster: refused, although the names match.
    const theirs = [{ kind: "Namespace" as const, name: "apps", stack: "calico-ipam/dev@0f0f0f0f0f0f" }];
    const message = takeoverProblem([apps], theirs, mine, true)!;
    assert.match(message, /namespace apps is already in this cluster, made by the calico-ipam stack "calico-ipam\/dev@0f0f0f0f0f0f"/);
    assert.match(message, /If, and only if, that is this very stack .* its calico-ipam:stackId was "0f0f0f0f0f0f": set it back \(npm run pulumi -- config set calico-ipam:stackId 0f0f0f0f0f0f\)\.$/);
    assert.doesNotMatch(message, /kubectl annotate/);
    // Its Calico too, with the same hint; a stack of another name gets none.
    const owner = { stack: "calico-ipam/dev@0f0f0f0f0f0f", calicoInstall: "operator" as const };
    assert.match(calicoInstallProblem("operator", { operatorInstalled: true, owner }, mine)!, /managed by the calico-ipam stack "calico-ipam\/dev@0f0f0f0f0f0f".*stackId was "0f0f0f0f0f0f"/);
    assert.doesNotMatch(calicoInstallProblem("operator", { operatorInstalled: true, owner: { ...owner, stack: "calico-ipam/prod" } }, mine)!, /stackId/);
  });

  it("asks for the experiments' namespaces and Deployments with the keys that ask for them, never for default", () => {
    const config = parseLabConfig({
      namespaces: '{"team-a": {"pools": ["default-ipv4-ippool"]}}',
      workloads: '[{"name": "web", "replicas": 1}, {"name": "api", "namespace": "apps", "replicas": 1}, {"name": "db", "namespace": "team-a", "replicas": 1}]',
    });
    assert.deepEqual(experimentObjects(config).map((o) => [o.kind, o.namespace ?? "", o.name, o.key]), [
      ["Namespace", "", "team-a", 'calico-ipam:namespaces["team-a"]'],
      ["Namespace", "", "apps", "calico-ipam:workloads[1].namespace"],
      ["Deployment", "default", "web", "calico-ipam:workloads[0].name"],
      ["Deployment", "apps", "api", "calico-ipam:workloads[1].name"],
      ["Deployment", "team-a", "db", "calico-ipam:workloads[2].name"],
    ]);
  });

  describe("read from a real HTTP server", () => {
    let server: FakeApiServer;
    beforeEach(async () => {
      server = await startFakeApiServer();
    });
    afterEach(() => server.close());

    it("finds the ones there, with the stack each is marked with", async () => {
      server.setObject("/api/v1/namespaces/apps", { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", annotations: { [STACK_ANNOTATION]: me } } });
      server.setObject("/apis/apps/v1/namespaces/default/deployments/web", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" } });
      const facts = await inspectExistingCluster(fakeKubeconfig(server.url), [apps, web, { ...web, name: "new" }]);
      assert.deepEqual(facts.existing, [{ kind: "Namespace", name: "apps", stack: me }, { kind: "Deployment", namespace: "default", name: "web" }]);
      assert.ok(server.requests.some((r) => r.path === "/apis/apps/v1/namespaces/default/deployments/new"));
    });
  });
});
