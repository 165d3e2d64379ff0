// The same lab on three targets: an EC2 host, this machine's Docker, or a cluster the user has.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { readyLocalHost } from "../host/local-host-fixture";
import { buildLabForTest, BuiltLab, calls, fakeDeps, isSecretInput, unwrapSecrets, valueOf } from "../support/lab-harness";
import { KubeReadError } from "../../lib/core/kube";
import { MOCK_KUBECONFIG } from "../support/mocks";

const typesOf = (lab: BuiltLab) => [...new Set(lab.resources.map((r) => r.type))].sort();
const commandsOf = (lab: BuiltLab) => lab.resources.filter((r) => r.type.startsWith("command:"));

/** A step script without the one parameter that may differ between targets. */
function withoutParam(script: string, name: string): string {
  return script.replace(new RegExp(`^${name}='(?:[^']|'\\\\'')*'$`, "m"), `${name}=<differs>`);
}

describe("target local", () => {
  let local: BuiltLab;
  let aws: BuiltLab;
  before(async () => {
    aws = await buildLabForTest({ allowedCidrs: "127.0.0.1/32" });
    local = await buildLabForTest({ target: "local" });
  });

  it("creates no AWS resource and runs its steps locally", () => {
    assert.deepEqual(typesOf(local).filter((t) => t.startsWith("aws:") || t.startsWith("tls:")), []);
    assert.deepEqual([...new Set(commandsOf(local).map((c) => c.type))], ["command:local:Command"]);
    for (const c of commandsOf(local)) assert.deepEqual(c.inputs.interpreter, ["/bin/bash", "-c"]);
    // This machine's own kubectl and calicoctl are the user's: no step replaces them.
    assert.deepEqual(commandsOf(local).map((c) => c.name).sort(), ["cluster-deploy", "cluster-kubeconfig"]);
  });

  it("runs the very same step scripts as the EC2 host", () => {
    const byName = (lab: BuiltLab, name: string) => lab.resources.find((r) => r.name === name && r.type.startsWith("command:"))!;
    for (const name of ["cluster-deploy", "cluster-kubeconfig"]) {
      const [a, l] = [byName(aws, name), byName(local, name)];
      // Only the kind config differs (the EC2 host exposes the API server, a local lab keeps it on
      // loopback), and whose kubeconfig the deploy makes the default: the EC2 host's login user's only.
      const same = (script: string) => withoutParam(withoutParam(script, "KIND_CONFIG"), "USER_KUBECONFIG");
      assert.equal(same(l.inputs.create as string), same(a.inputs.create as string), name);
      assert.equal(l.inputs.delete, a.inputs.delete, name);
    }
    assert.match(byName(local, "cluster-deploy").inputs.delete as string, /containerlab destroy/);
    assert.match(byName(local, "cluster-deploy").inputs.create as string, /^USER_KUBECONFIG='lab-only'$/m);
    assert.match(byName(aws, "cluster-deploy").inputs.create as string, /^USER_KUBECONFIG='default'$/m);
  });

  it("keeps the API server on loopback and the kubeconfig as kind wrote it", async () => {
    const create = local.one("command:local:Command", "cluster-deploy").inputs.create as string;
    assert.doesNotMatch(create, /apiServerAddress/);
    assert.equal(await valueOf(local.outputs.kubeconfig), MOCK_KUBECONFIG);
    assert.equal(await pulumi.isSecret(local.outputs.kubeconfig), true);
  });

  it("has no host outputs at all", () => {
    for (const key of ["publicIp", "sshCommand", "sshPrivateKey"]) assert.ok(!(key in local.outputs), key);
    for (const key of ["kubeconfig", "clusterName", "nodes", "ipam", "timings"]) assert.ok(key in local.outputs, key);
  });

  it("stops before creating anything when tools are missing, naming each and how to get it", async () => {
    const absent = (t: string): string | undefined => (["kind", "containerlab"].includes(t) ? undefined : `/usr/bin/${t}`);
    const deps = fakeDeps({ localHost: readyLocalHost({ toolPath: absent, rootToolPath: absent, dockerAnswers: () => false, canRunAsRoot: () => false }) });
    await assert.rejects(buildLabForTest({ target: "local" }, deps), (err: Error) => {
      assert.match(err.message, /target "local" needs/);
      assert.match(err.message, /containerlab: not found on PATH; install: .*get\.containerlab\.dev/);
      assert.match(err.message, /kind: not found on PATH; install: https:\/\/kind\.sigs\.k8s\.io/);
      assert.match(err.message, /docker .* does not answer/);
      assert.match(err.message, /passwordless sudo/);
      assert.doesNotMatch(err.message, /kubectl/);
      return true;
    });
  });

  it("stops, saying how to start them, when the lab's kind nodes are there but stopped (a reboot): the run would fail on the unreachable API server", async () => {
    const asked: string[] = [];
    const kindNodes = (cluster: string) => {
      asked.push(cluster);
      return [{ name: "calico-ipam-control-plane", state: "exited" }, { name: "calico-ipam-worker", state: "exited" }, { name: "calico-ipam-worker2", state: "running" }];
    };
    const deps = fakeDeps({ localHost: readyLocalHost({ kindNodes }) });
    await assert.rejects(buildLabForTest({ target: "local" }, deps), (err: Error) => {
      assert.match(err.message, /kind cluster "calico-ipam" is on this machine but some of its nodes are not running \(calico-ipam-control-plane: exited, calico-ipam-worker: exited\)/);
      assert.match(err.message, /sudo docker start calico-ipam-control-plane calico-ipam-worker calico-ipam-worker2\./);
      assert.match(err.message, /npm run destroy && npm run up/);
      return true;
    });
    assert.deepEqual(asked, ["calico-ipam"]);
    // Running (or being restarted by Docker), or no such cluster yet: the run goes on.
    for (const state of ["running", "restarting"]) {
      await buildLabForTest({ target: "local" }, fakeDeps({ localHost: readyLocalHost({ kindNodes: () => [{ name: "calico-ipam-control-plane", state }] }) }));
    }
    await buildLabForTest({ target: "local" }, fakeDeps({ localHost: readyLocalHost({ kindNodes: () => [] }) }));
  });
});

describe("target existing", () => {
  const kubeconfig = MOCK_KUBECONFIG.replace("https://0.0.0.0:6443", "https://127.0.0.1:6443");

  it("runs only the Calico and IPAM parts, on the given kubeconfig", async () => {
    const lab = await buildLabForTest({ target: "existing", kubeconfig });
    assert.deepEqual(typesOf(lab).filter((t) => t.startsWith("aws:") || t.startsWith("command:") || t.startsWith("tls:")), []);
    assert.ok(lab.ofType("kubernetes:operator.tigera.io/v1:Installation").length === 1);
    // The user's own credentials are not handed back out as an output: they have them already.
    assert.ok(!("kubeconfig" in lab.outputs));
    assert.deepEqual(calls, ["waitForCalico", "readIpamState"]);
    // Nothing goes "with the cluster": the cluster is not ours. Calico objects are deleted one by one.
    for (const r of lab.resources.filter((x) => x.type.startsWith("kubernetes:"))) assert.equal(r.opts.deletedWith, undefined, r.name);
    for (const key of ["publicIp", "sshCommand", "clusterName", "nodes"]) assert.ok(!(key in lab.outputs), key);
  });

  it("stops before touching the Installation when the cluster's pool would have to change its block size, as a RunError", async () => {
    // On an existing cluster nothing replaces the cluster: a changed blockSize would reach the operator,
    // which refuses it and leaves TigeraStatus ippools Degraded while pulumi up waits for calicoTimeoutMinutes.
    const live = {
      name: "default-ipv4-ippool", cidr: "192.168.0.0/16", blockSize: 26, nodeSelector: "all()", encapsulation: "VXLANCrossSubnet" as const,
      natOutgoing: true, disabled: false, assignmentMode: "Automatic", ownedByOperator: true,
    };
    const run = buildLabForTest({ target: "existing", kubeconfig, blockSize: "24" }, fakeDeps({ readLivePools: async () => [live] }));
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof pulumi.RunError, `a ${(err as Error).constructor.name}, so pulumi would print a stack trace`);
      assert.match(err.message, /blockSize\): the Tigera operator would refuse this change/);
      assert.match(err.message, /pool default-ipv4-ippool \(192\.168\.0\.0\/16\): Calico refuses it \("IPPool BlockSize cannot be modified"\)/);
      return true;
    });
  });

  it("hands the provider only the current context of a multi-context kubeconfig, and never re-exports it", async () => {
    const canary = "canary-token-of-another-cluster";
    const multi = `${kubeconfig}`.replace("contexts:", `contexts:\n- context:\n    cluster: prod\n    user: prod\n  name: prod`)
      .replace("clusters:", "clusters:\n- cluster:\n    server: https://prod.example:6443\n  name: prod")
      .replace("users:", `users:\n- name: prod\n  user:\n    token: ${canary}`);
    const lab = await buildLabForTest({ target: "existing", kubeconfig: multi });
    const provider = lab.one("pulumi:providers:kubernetes");
    assert.ok(isSecretInput(provider.inputs.kubeconfig));
    const given = unwrapSecrets(provider.inputs.kubeconfig) as string;
    assert.doesNotMatch(given, new RegExp(canary));
    assert.match(given, /client-key-data/);
    for (const [name, output] of Object.entries(lab.outputs)) {
      assert.doesNotMatch(JSON.stringify(await valueOf(output)), new RegExp(canary), name);
    }
  });

  it("upserts the lab's objects, never forgets them because the cluster is unreachable, and keeps them across kubeconfig changes", async () => {
    const lab = await buildLabForTest({ target: "existing", kubeconfig });
    const provider = lab.one("pulumi:providers:kubernetes");
    assert.equal(provider.inputs.upsertExistingObjects, "true");
    assert.equal(provider.inputs.deleteUnreachable, "false");
    // The stack's, not the kubeconfig's: see the lifecycle suite for what a kubeconfig change then does.
    assert.equal(provider.inputs.clusterIdentifier, "existing:calico-ipam/dev");
    // The owner record comes first, so a later run knows what this stack made.
    const record = lab.one("kubernetes:core/v1:ConfigMap", "calico-owner");
    assert.deepEqual(record.inputs.metadata, { namespace: "kube-system", name: "calico-ipam-owner" });
    assert.deepEqual(record.inputs.data, { stack: "calico-ipam/dev", calicoInstall: "operator" });
  });

  it("only reads with calicoInstall none: no provider, no probe, no Calico", async () => {
    const lab = await buildLabForTest({ target: "existing", kubeconfig, calicoInstall: "none" });
    assert.deepEqual(lab.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers")), []);
    assert.deepEqual(calls, ["readIpamState"]);
    // It installed nothing, so it claims no Calico version or pool; the ipam output shows the cluster's.
    for (const key of ["calicoVersion", "ipPools"]) assert.ok(!(key in lab.outputs), key);
    assert.ok("ipam" in lab.outputs);
  });

  it("lets read-only credentials that may not read kube-system through with calicoInstall none", async () => {
    const deps = fakeDeps({
      inspectCluster: async () => {
        throw new KubeReadError("forbidden", 'calico-ipam: forbidden: user "viewer" may not get configmaps');
      },
    });
    await buildLabForTest({ target: "existing", kubeconfig, calicoInstall: "none" }, deps);
    await assert.rejects(buildLabForTest({ target: "existing", kubeconfig }, deps), /forbidden: user "viewer"/);
  });

  it("reads kubeconfigPath when no kubeconfig value is given", async () => {
    const read: string[] = [];
    const deps = fakeDeps({ readFile: (path) => (read.push(path), kubeconfig) });
    await buildLabForTest({ target: "existing", kubeconfigPath: "/home/me/.kube/lab" }, deps);
    assert.deepEqual(read, ["/home/me/.kube/lab"]);
  });

  it("names the key when kubeconfigPath cannot be read", async () => {
    const deps = fakeDeps({
      readFile: () => {
        throw new Error("ENOENT: no such file or directory, open '/home/me/.kube/lab'");
      },
    });
    await assert.rejects(
      buildLabForTest({ target: "existing", kubeconfigPath: "/home/me/.kube/lab" }, deps),
      /calico-ipam:kubeconfigPath is "\/home\/me\/\.kube\/lab", which cannot be read \(ENOENT/,
    );
  });

  it("leaves the operator alone when calicoInstall is installation", async () => {
    const deps = fakeDeps({ inspectCluster: async () => ({ operatorInstalled: true }) });
    const lab = await buildLabForTest({ target: "existing", kubeconfig, calicoInstall: "installation" }, deps);
    assert.deepEqual(lab.ofType("kubernetes:yaml/v2:ConfigFile"), []);
    assert.equal(lab.ofType("kubernetes:operator.tigera.io/v1:Installation").length, 1);
  });

  it("refuses a podCidr outside the cluster's kubeadm podSubnet", async () => {
    const deps = fakeDeps({ inspectCluster: async () => ({ operatorInstalled: false, kubeadmPodSubnet: "10.244.0.0/16" }) });
    await assert.rejects(buildLabForTest({ target: "existing", kubeconfig }, deps), /calico-ipam:podCidr is "192\.168\.0\.0\/16".*kubeadm podSubnet is "10\.244\.0\.0\/16"/);
  });

  it("goes on when the podSubnet holds the pool", async () => {
    const deps = fakeDeps({ inspectCluster: async () => ({ operatorInstalled: false, kubeadmPodSubnet: "192.168.0.0/16,fd00::/48" }) });
    const lab = await buildLabForTest({ target: "existing", kubeconfig }, deps);
    assert.equal(lab.ofType("kubernetes:operator.tigera.io/v1:Installation").length, 1);
  });

  it("fails with the cluster's own one-line error when it cannot be reached", async () => {
    const deps = fakeDeps({
      inspectCluster: async () => {
        throw new Error("calico-ipam: cannot reach the cluster at https://127.0.0.1:6443: connect ECONNREFUSED");
      },
    });
    await assert.rejects(buildLabForTest({ target: "existing", kubeconfig }, deps), (err: Error) => {
      assert.ok(pulumi.RunError.isInstance(err), "a RunError: Pulumi prints it without a stack");
      assert.match(err.message, /^calico-ipam: cannot reach the cluster at https:\/\/127\.0\.0\.1:6443/);
      return true;
    });
  });
});
