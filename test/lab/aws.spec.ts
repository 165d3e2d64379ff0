// The whole program for target aws, under mocks: what a user gets from `pulumi up`.
import { KIND_NODE_IMAGES } from "../../lib/core/versions";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { bashSingleQuotedValue, buildLabForTest, BuiltLab, calls, DeclaredResource, fakeDeps, isSecretInput, unwrapSecrets, userDataOf, valueOf } from "../support/lab-harness";
import { invoked, MOCK_PUBLIC_IP } from "../support/mocks";
import { FIRST_CONTACT_DIAL_LIMIT, FIRST_CONTACT_TIMEOUT } from "../../components/host";

const ALLOWED = "127.0.0.0/24";
const DEPLOY = "command:remote:Command";

async function urnOf(resource: pulumi.Resource | pulumi.Input<pulumi.Resource> | undefined): Promise<string> {
  assert.ok(resource, "no resource");
  return valueOf((resource as pulumi.Resource).urn);
}

describe("target aws (default)", () => {
  let lab: BuiltLab;
  before(async () => {
    lab = await buildLabForTest({ allowedCidrs: ALLOWED });
  });

  const ingressOf = (built: BuiltLab) =>
    built.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6]);

  it("opens only SSH and the Kubernetes API, only to allowedCidrs, one rule per port and CIDR", async () => {
    assert.deepEqual(ingressOf(lab), [["tcp", 22, 22, ALLOWED], ["tcp", 6443, 6443, ALLOWED]]);
    assert.equal(lab.one("aws:ec2/securityGroup:SecurityGroup").inputs.ingress, undefined, "no inline rules beside the rule resources");
    const two = await buildLabForTest({ allowedCidrs: '["127.0.0.0/24", "::1/128"]' });
    assert.deepEqual(ingressOf(two), [
      ["tcp", 22, 22, "127.0.0.0/24"], ["tcp", 22, 22, "::1/128"], ["tcp", 6443, 6443, "127.0.0.0/24"], ["tcp", 6443, 6443, "::1/128"],
    ]);
  });

  it("lets everything out, and keeps the VPC's default security group empty (AWS FSBP EC2.2)", () => {
    const egress = lab.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => [r.inputs.ipProtocol, r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6]);
    assert.deepEqual(egress, [["-1", "0.0.0.0/0"], ["-1", "::/0"]]);
    const defaultGroup = lab.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    assert.equal(defaultGroup.inputs.ingress, undefined);
    assert.equal(defaultGroup.inputs.egress, undefined);
  });

  it("detects the caller's address when allowedCidrs is not set", async () => {
    const detected = await buildLabForTest({});
    assert.deepEqual(ingressOf(detected)[0], ["tcp", 22, 22, `${MOCK_PUBLIC_IP}/32`]);
  });

  it("hardens the instance: IMDSv2 with one hop, encrypted gp3 root, Canonical's Ubuntu", () => {
    const instance = lab.one("aws:ec2/instance:Instance");
    assert.deepEqual(instance.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
    // Throughput doubled over gp3's 125 MiB/s baseline for unpacking images at first boot (README: cost).
    assert.deepEqual(instance.inputs.rootBlockDevice, { volumeType: "gp3", volumeSize: 50, throughput: 250, encrypted: true, deleteOnTermination: true });
    assert.equal(instance.inputs.instanceType, "t3.xlarge");
    const ami = invoked.find((i) => i.token === "aws:ec2/getAmi:getAmi");
    assert.deepEqual(ami?.inputs.owners, ["099720109477"]);
    assert.equal(ami?.inputs.mostRecent, true);
    // A newer image must not rebuild a running lab.
    assert.deepEqual(instance.opts.ignoreChanges, ["ami", "userDataBase64"]);
  });

  it("tags every AWS resource with Name, project and stack", () => {
    const taggable = lab.resources.filter((r) => r.type.startsWith("aws:") && !r.type.includes("Association"));
    assert.ok(taggable.length >= 8);
    for (const r of taggable) {
      const tags = r.inputs.tags as Record<string, string>;
      assert.equal(tags.project, "calico-ipam", r.name);
      assert.equal(tags.stack, "dev", r.name);
      assert.match(tags.Name, /^calico-ipam-/, r.name);
    }
  });

  it("puts the public subnet in the first /24 of the VPC, in a zone offering the instance type", () => {
    const subnet = lab.one("aws:ec2/subnet:Subnet");
    assert.equal(subnet.inputs.cidrBlock, "10.0.0.0/24");
    assert.equal(subnet.inputs.availabilityZone, "us-east-1a");
  });

  it("renders the lab's topology and kind config into the deploy step", () => {
    const deploy = lab.one(DEPLOY, "cluster-deploy");
    const script = deploy.inputs.create as string;
    const topology = parse(bashSingleQuotedValue(script, "TOPOLOGY"));
    assert.deepEqual(topology.topology.nodes["calico-ipam"], {
      kind: "k8s-kind",
      image: KIND_NODE_IMAGES["v1.35.0"],
      "startup-config": "calico-ipam.kind.yaml",
      extras: { k8s_kind: { deploy: { wait: "0s" } } },
    });
    const kind = parse(bashSingleQuotedValue(script, "KIND_CONFIG"));
    assert.deepEqual(kind.networking, {
      disableDefaultCNI: true,
      podSubnet: "192.168.0.0/16",
      serviceSubnet: "10.96.0.0/16",
      apiServerAddress: "0.0.0.0",
      apiServerPort: 6443,
    });
    assert.deepEqual(kind.nodes, [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }]);
    const patch = parse(kind.kubeadmConfigPatches[0]);
    assert.deepEqual(patch.apiServer.certSANs, ["localhost", "127.0.0.1", MOCK_PUBLIC_IP, "localhost"]);
    assert.match(deploy.inputs.delete as string, /containerlab destroy .*--cleanup/);
  });

  it("logs in as ubuntu; only the first contact dials longer, and every dial gives up in bounded time", () => {
    const commands = lab.ofType(DEPLOY);
    const first = lab.one(DEPLOY, "wait-for-host");
    for (const c of commands) {
      // The connection carries the private key, so it is secret as a whole.
      assert.ok(isSecretInput(c.inputs.connection), c.name);
      const connection = unwrapSecrets(c.inputs.connection) as Record<string, unknown>;
      assert.equal(connection.user, "ubuntu");
      assert.equal(connection.host, MOCK_PUBLIC_IP);
      // -1 would dial forever, a host-key mismatch included (pulumi-command v1.2.1 dialWithRetry).
      assert.equal(connection.dialErrorLimit, c === first ? FIRST_CONTACT_DIAL_LIMIT : 10, c.name); // 10: the SDK's default
    }
    assert.match(first.inputs.create as string, /cloud-init status --wait/);
    // A changed connection (a pinned host key, a new limit) runs Update: it needs its own bound.
    assert.deepEqual(first.opts.customTimeouts, { create: FIRST_CONTACT_TIMEOUT, update: FIRST_CONTACT_TIMEOUT });
  });

  it("gives up on a host that refuses, or shows another host key, after 10 to 20 minutes of dialling", () => {
    // pulumi's retry.Until (sdk/go/common/util/retry/until.go, sdk v3.224.0, the one pulumi-command
    // v1.2.1 builds with): the first pause 100 ms, each next one 1.5 times longer, none over 5 s.
    // dialWithRetry (remote/connection.go) fails once the dials exceed the limit: limit pauses in all.
    let pauses = 0;
    for (let k = 0, delay = 0.1; k < FIRST_CONTACT_DIAL_LIMIT; k++, delay *= 1.5) pauses += Math.min(delay, 5);
    assert.ok(pauses >= 10 * 60 && pauses <= 20 * 60, `${Math.round(pauses)} s of pauses`);
    // ...and before the operation's timeout, with up to 1 s per quick dial (a refusal or a handshake):
    // a wrong host key then ends in its own words ("ssh: host key mismatch"), not a deadline.
    const timeoutSeconds = Number(/^(\d+)m$/.exec(FIRST_CONTACT_TIMEOUT)![1]) * 60;
    assert.ok(pauses + FIRST_CONTACT_DIAL_LIMIT * 1 < timeoutSeconds, `${Math.round(pauses)} s of pauses, ${timeoutSeconds} s allowed`);
  });

  it("pins the host key it generated and cloud-init installs, and keeps the user data secret", () => {
    const hostKey = lab.one("tls:index/privateKey:PrivateKey", "host-key");
    assert.equal(hostKey.inputs.algorithm, "ED25519");
    const instance = lab.one("aws:ec2/instance:Instance");
    assert.ok(isSecretInput(instance.inputs.userDataBase64), "user data carries the host's private key");
    assert.equal(instance.inputs.userData, undefined, "only the packed form: the plain text is over EC2's 16 KB");
    const cloudConfig = parse(userDataOf(instance));
    assert.equal(cloudConfig.ssh_deletekeys, true);
    assert.match(cloudConfig.ssh_keys.ed25519_private, /BEGIN OPENSSH PRIVATE KEY/);
    const publicKey = cloudConfig.ssh_keys.ed25519_public as string;
    assert.match(publicKey, /^ssh-ed25519 \S+/);
    for (const c of lab.ofType(DEPLOY)) {
      const connection = unwrapSecrets(c.inputs.connection) as Record<string, unknown>;
      // pulumi-command remote/connection.go SSHConfig: with hostKey set, ssh.FixedHostKey accepts that key only.
      assert.equal(connection.hostKey, publicKey, c.name);
      assert.equal(connection.agentSocketPath, undefined, `${c.name} stores the caller's agent socket`);
    }
  });

  it("boots the instance on an interface that already has its Elastic IP and its route out", async () => {
    const instance = lab.one("aws:ec2/instance:Instance");
    const nic = lab.one("aws:ec2/networkInterface:NetworkInterface");
    assert.deepEqual(instance.inputs.primaryNetworkInterface, { networkInterfaceId: "host-nic-id" });
    assert.equal(instance.inputs.subnetId, undefined);
    assert.deepEqual(nic.inputs.securityGroups, ["host-sg-id"]);
    assert.equal(lab.one("aws:ec2/eipAssociation:EipAssociation").inputs.networkInterfaceId, "host-nic-id");
    const after = await Promise.all((instance.opts.dependsOn as pulumi.Resource[]).map(urnOf));
    assert.ok(after.some((u) => u.endsWith("aws:ec2/eipAssociation:EipAssociation::host-eip")), after.join());
    assert.ok(after.some((u) => u.endsWith("aws:ec2/routeTableAssociation:RouteTableAssociation::host-public")), after.join());
    assert.equal(instance.opts.deleteBeforeReplace, true);
  });

  it("orders the steps: host ready, then deploy, then kubeconfig", async () => {
    const deploy = lab.one(DEPLOY, "cluster-deploy");
    const read = lab.one(DEPLOY, "cluster-kubeconfig");
    const deployAfter = await Promise.all((deploy.opts.dependsOn as pulumi.Resource[]).map(urnOf));
    assert.ok(deployAfter.some((u) => u.endsWith("::host-wait-for-host")), deployAfter.join());
    const readAfter = await Promise.all((read.opts.dependsOn as pulumi.Resource[]).map(urnOf));
    assert.ok(readAfter.some((u) => u.endsWith("::cluster-deploy")));
  });

  it("matches the host's kubectl and calicoctl to the stack's versions once the host is ready, beside the deploy", async () => {
    const tools = lab.one(DEPLOY, "host-tools");
    const script = tools.inputs.create as string;
    assert.equal(bashSingleQuotedValue(script, "KUBECTL_VERSION"), "v1.35.0");
    assert.equal(bashSingleQuotedValue(script, "CALICOCTL_VERSION"), "v3.30.7");
    // Run again only for a new instance or a new version (a trigger each), never by a rule or a shell.
    assert.deepEqual(tools.inputs.triggers, ["host-instance-id", "v1.35.0", "v3.30.7"]);
    const after = await Promise.all((tools.opts.dependsOn as pulumi.Resource[]).map(urnOf));
    assert.ok(after.some((u) => u.endsWith("::host-wait-for-host")), after.join());
    assert.ok(!after.some((u) => u.includes("::cluster-")), "the deploy needs neither tool: nothing waits on the other");
  });

  it("keeps the kubeconfig secret, pointed at the Elastic IP", async () => {
    assert.equal(await pulumi.isSecret(lab.outputs.kubeconfig), true);
    assert.equal(await pulumi.isSecret(lab.outputs.sshPrivateKey), true);
    const kubeconfig = parse((await valueOf(lab.outputs.kubeconfig)) as string);
    assert.equal(kubeconfig.clusters[0].cluster.server, `https://${MOCK_PUBLIC_IP}:6443`);
    // The command's own stdout is stored in state: it must be secret there too.
    assert.ok(lab.one(DEPLOY, "cluster-kubeconfig").opts.additionalSecretOutputs?.includes("stdout"));
    assert.ok(!lab.one(DEPLOY, "cluster-deploy").opts.additionalSecretOutputs?.includes("stdout"));
    for (const name of ["publicIp", "clusterName", "nodes", "ipPools", "timings", "ipam", "workloads"]) {
      assert.equal(await pulumi.isSecret(lab.outputs[name]), false, name);
    }
  });

  it("installs the pinned Calico operator, then the lab's Installation and APIServer", async () => {
    const files = lab.ofType("kubernetes:yaml/v2:ConfigFile").map((r) => r.inputs.file);
    assert.deepEqual(files, [
      "https://raw.githubusercontent.com/projectcalico/calico/v3.30.7/manifests/operator-crds.yaml",
      "https://raw.githubusercontent.com/projectcalico/calico/v3.30.7/manifests/tigera-operator.yaml",
    ]);
    const installation = lab.one("kubernetes:operator.tigera.io/v1:Installation");
    assert.deepEqual((installation.inputs.metadata as { name: string }).name, "default");
    const pool = (installation.inputs.spec as { calicoNetwork: { ipPools: Record<string, unknown>[] } }).calicoNetwork.ipPools;
    assert.equal(pool.length, 1);
    assert.deepEqual(
      { cidr: pool[0].cidr, blockSize: pool[0].blockSize, encapsulation: pool[0].encapsulation, natOutgoing: pool[0].natOutgoing, nodeSelector: pool[0].nodeSelector },
      { cidr: "192.168.0.0/16", blockSize: 26, encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled", nodeSelector: "all()" },
    );
    assert.equal((lab.one("kubernetes:operator.tigera.io/v1:APIServer").inputs.metadata as { name: string }).name, "default");
    // Removed before the operator (which clears their finalizers) when removed alone.
    for (const cr of [installation, lab.one("kubernetes:operator.tigera.io/v1:APIServer")]) {
      const after = await Promise.all((cr.opts.dependsOn as pulumi.Resource[]).map(urnOf));
      assert.ok(after.some((u) => u.endsWith("::calico-tigera-operator")), cr.name);
    }
  });

  it("lets everything inside the cluster go with the cluster on destroy", async () => {
    const inCluster = lab.resources.filter((r) => r.type.startsWith("kubernetes:"));
    assert.ok(inCluster.length >= 6);
    for (const r of inCluster) {
      assert.ok((await urnOf(r.opts.deletedWith)).endsWith("::cluster-deploy"), r.name);
    }
    const provider = lab.one("pulumi:providers:kubernetes");
    // The cluster goes with the host: a cluster that cannot be reached is forgotten, not waited for.
    assert.equal(provider.inputs.deleteUnreachable, "true");
    // Objects already there (after a refresh dropped them from state) are taken over, not AlreadyExists.
    assert.equal(provider.inputs.upsertExistingObjects, "true");
    // Replaced only with the cluster itself.
    assert.equal(provider.inputs.clusterIdentifier, "cluster-deploy-id");
    // The cluster's own delete step goes with the instance: destroy never dials a host that may be gone.
    assert.ok((await urnOf(lab.one(DEPLOY, "cluster-deploy").opts.deletedWith)).endsWith("::host-instance"));
  });

  it("waits for Calico before the probe, and reads IPAM only after both", async () => {
    assert.deepEqual(calls, ["waitForCalico", "readIpamState"]);
    const probe = lab.one("kubernetes:apps/v1:DaemonSet");
    const tolerations = (probe.inputs.spec as { template: { spec: { tolerations: unknown[] } } }).template.spec.tolerations;
    assert.deepEqual(tolerations, [{ operator: "Exists" }]);
  });

  it("exports the lab's outputs", async () => {
    assert.deepEqual(Object.keys(lab.outputs).sort(), [
      "blockAffinities", "calicoVersion", "clusterName", "ipPlan", "ipPools", "ipam", "kubeconfig", "nodes", "poolChanges",
      "publicIp", "sshCommand", "sshHostKey", "sshPrivateKey", "summary", "tigeraStatus", "timings", "workloads",
    ]);
    assert.equal(await valueOf(lab.outputs.publicIp), MOCK_PUBLIC_IP);
    assert.equal(await valueOf(lab.outputs.clusterName), "calico-ipam");
    assert.deepEqual(await valueOf(lab.outputs.nodes), [
      { name: "calico-ipam-control-plane", role: "control-plane" },
      { name: "calico-ipam-worker", role: "worker" },
      { name: "calico-ipam-worker2", role: "worker" },
    ]);
    // Per stage, from the host (seconds since boot) and the cluster (seconds per stage).
    assert.deepEqual(await valueOf(lab.outputs.timings), {
      cloudInitStartSeconds: 9, installStartSeconds: 31, toolsInstalledSeconds: 88, hostReadySeconds: 94, nodeImagePresentSeconds: 97,
      clusterCreateSeconds: 131, operatorRunningSeconds: 21, calicoNodesRunningSeconds: 77, calicoReadySeconds: 142,
      ipamProbeReadySeconds: 151,
    });
    assert.match((await valueOf(lab.outputs.sshCommand)) as string, /ssh -i calico-ipam.key -o UserKnownHostsFile=calico-ipam.known_hosts ubuntu@127\.0\.0\.10$/);
  });
});

describe("what a config change touches (target aws)", () => {
  const deployTriggers = async (raw: Record<string, string>): Promise<unknown> => {
    const lab = await buildLabForTest({ allowedCidrs: ALLOWED, ...raw });
    return lab.one(DEPLOY, "cluster-deploy").inputs.triggers;
  };
  let baseline: unknown;
  before(async () => {
    baseline = await deployTriggers({});
  });

  it("renders byte-identical triggers for the same config", async () => {
    assert.deepEqual(await deployTriggers({}), baseline);
  });

  for (const [key, value] of [["podCidr", "10.244.0.0/16"], ["blockSize", "24"], ["kubernetesVersion", "v1.34.3"], ["workers", "3"], ["instanceType", "t3.2xlarge"]]) {
    it(`replaces the cluster when ${key} changes`, async () => {
      assert.notDeepEqual(await deployTriggers({ [key]: value }), baseline);
    });
  }

  for (const [key, value] of [["allowedCidrs", "127.0.0.1/32"], ["calicoVersion", "v3.30.6"], ["encapsulation", "VXLAN"]]) {
    it(`keeps the cluster when ${key} changes`, async () => {
      assert.deepEqual(await deployTriggers({ [key]: value }), baseline);
    });
  }

  it("updates the operator in place when calicoVersion changes", async () => {
    const lab = await buildLabForTest({ allowedCidrs: ALLOWED, calicoVersion: "v3.30.6" });
    const files = lab.ofType("kubernetes:yaml/v2:ConfigFile").map((r: DeclaredResource) => r.inputs.file as string);
    assert.ok(files.every((f) => f.includes("/calico/v3.30.6/manifests/")), files.join());
  });
});

describe("a replaced cluster or host (target aws)", () => {
  it("destroys the old cluster before deploying its successor of the same name", async () => {
    const lab = await buildLabForTest({ allowedCidrs: ALLOWED });
    assert.equal(lab.one(DEPLOY, "cluster-deploy").opts.deleteBeforeReplace, true);
  });

  it("gets a new cluster: the instance and its type are among the deploy's triggers", async () => {
    const lab = await buildLabForTest({ allowedCidrs: ALLOWED });
    const triggers = lab.one(DEPLOY, "cluster-deploy").inputs.triggers as unknown[];
    assert.equal(triggers.at(-1), "host-instance-id t3.xlarge");
  });

  it("waits for the host again after a resize (a stop/start), before the new cluster", async () => {
    const lab = await buildLabForTest({ allowedCidrs: ALLOWED, instanceType: "m7i.xlarge" });
    const wait = lab.resources.find((r) => r.name === "host-wait-for-host")!;
    assert.deepEqual(wait.inputs.triggers, ["host-instance-id", "m7i.xlarge"]);
  });
});

describe("target aws before anything is declared", () => {
  it("refuses to start with an ssh-agent socket nobody answers on, as a RunError naming the fix", async () => {
    const deps = fakeDeps({ sshAgentSocket: "/tmp/ssh-gone/agent.1", sshAgentAnswers: async () => false });
    await assert.rejects(buildLabForTest({ allowedCidrs: ALLOWED }, deps), (err: Error) => {
      assert.ok(pulumi.RunError.isInstance(err));
      assert.match(err.message, /SSH_AUTH_SOCK is "\/tmp\/ssh-gone\/agent\.1", but no ssh-agent answers there/);
      return true;
    });
  });
});
