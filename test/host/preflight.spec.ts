import * as assert from "node:assert/strict";
import { localPreflight } from "../../lib/host/preflight";
import { releaseAtLeast } from "../../lib/core/versions";
import { readyLocalHost } from "./local-host-fixture";
import { podCidrProblem, podSubnetFromKubeadmConfig } from "../../lib/cluster/existing-cluster";
import { detectPublicIpv4 } from "../../lib/host/public-ip";

describe("local preflight", () => {
  const goBin = (name: string): string => `/home/ana/go/bin/${name}`;
  const only = (tools: string[]) => (name: string) => (tools.includes(name) ? goBin(name) : undefined);

  it("is quiet when everything is there", () => {
    assert.equal(localPreflight(readyLocalHost()), undefined);
  });

  it("lists every missing tool in one message", () => {
    const none = (): undefined => undefined;
    const message = localPreflight(readyLocalHost({ toolPath: none, rootToolPath: none, dockerAnswers: () => false }))!;
    for (const tool of ["docker", "containerlab", "kind", "kubectl"]) assert.match(message, new RegExp(`- ${tool}: not found`));
    // With no docker at all, "the daemon does not answer" would only be noise.
    assert.doesNotMatch(message, /does not answer/);
  });

  it("looks for containerlab, kind and docker where root finds them, as the steps' sudo -n does", () => {
    const message = localPreflight(readyLocalHost({ toolPath: goBin, rootToolPath: only(["docker"]) }))!;
    assert.match(message, /- containerlab: \/home\/ana\/go\/bin\/containerlab is on your PATH but not on root's.*secure_path.*sudo install -m 0755 \/home\/ana\/go\/bin\/containerlab \/usr\/local\/bin\/containerlab/);
    assert.match(message, /- kind: \/home\/ana\/go\/bin\/kind is on your PATH but not on root's/);
    assert.doesNotMatch(message, /- (docker|kubectl):/);
  });

  it("looks for kubectl on this user's PATH: the lab's hand commands are the user's", () => {
    const message = localPreflight(readyLocalHost({ toolPath: only(["docker", "containerlab", "kind"]) }))!;
    assert.match(message, /- kubectl: not found on PATH/);
    assert.equal(message.split("\n").length, 2, message);
  });

  it("refuses a containerlab older than v0.73.0, whose kind predates the lab's node images, naming the version to install", () => {
    const printed = (version: string) => readyLocalHost({ containerlabVersion: () => `  ____\n    version: ${version}\n     commit: 49ee599b\n` });
    const message = localPreflight(printed("0.72.0"))!;
    assert.match(message, /- containerlab: version 0\.72\.0 embeds a kind older than v0\.31\.0/);
    assert.match(message, /install containerlab v0\.79\.0.*get\.containerlab\.dev\)" -- -v 0\.79\.0/);
    assert.match(localPreflight(printed("0.69.3"))!, /version 0\.69\.3/);
    assert.equal(localPreflight(printed("0.73.0")), undefined);
    assert.equal(localPreflight(printed("1.0.0")), undefined);
  });

  it("refuses a containerlab that does not say its version", () => {
    for (const printed of [undefined, "containerlab: error\n"]) {
      assert.match(localPreflight(readyLocalHost({ containerlabVersion: () => printed }))!, /`containerlab version` did not say which version this is.*v0\.73\.0 or later/);
    }
  });

  it("without root, says so and checks the tools on this user's PATH only", () => {
    const message = localPreflight(readyLocalHost({
      canRunAsRoot: () => false,
      toolPath: only(["docker", "containerlab", "kubectl"]),
      rootToolPath: () => assert.fail("root's PATH cannot be read without root"),
      containerlabVersion: () => assert.fail("the version of a containerlab the steps may not run"),
    }))!;
    assert.match(message, /- kind: not found on PATH/);
    assert.match(message, /- root: the steps run containerlab, kind and docker as root.*passwordless sudo/);
    assert.equal(message.split("\n").length, 3, message);
  });
});

describe("versions", () => {
  it("compares releases number by number", () => {
    assert.equal(releaseAtLeast("v0.73.0", "v0.73.0"), true);
    assert.equal(releaseAtLeast("0.100.0", "v0.73.0"), true);
    assert.equal(releaseAtLeast("v0.72.9", "v0.73.0"), false);
    assert.equal(releaseAtLeast("v1.0.0", "v0.73.0"), true);
    assert.equal(releaseAtLeast("v3.29.9", "v3.30.0"), false);
  });
});

describe("existing cluster checks", () => {
  const kubeadm = "apiServer: {}\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 192.168.0.0/16\n  serviceSubnet: 10.96.0.0/12\n";

  it("reads kubeadm's podSubnet", () => {
    assert.equal(podSubnetFromKubeadmConfig(kubeadm), "192.168.0.0/16");
    assert.equal(podSubnetFromKubeadmConfig("networking: {}\n"), undefined);
  });

  it("accepts a pool inside the podSubnet, or no kubeadm config at all", () => {
    assert.equal(podCidrProblem("192.168.0.0/17", { kubeadmPodSubnet: "192.168.0.0/16", operatorInstalled: false }), undefined);
    assert.equal(podCidrProblem("192.168.0.0/16", { operatorInstalled: false }), undefined);
  });

  it("refuses a pool larger than or beside the podSubnet", () => {
    assert.match(podCidrProblem("192.168.0.0/15", { kubeadmPodSubnet: "192.168.0.0/16", operatorInstalled: false })!, /calico-ipam:podCidr/);
    assert.match(podCidrProblem("10.0.0.0/16", { kubeadmPodSubnet: "fd00::/48", operatorInstalled: false })!, /would refuse the pool/);
  });
});

describe("public address detection", () => {
  it("returns the address the echo service saw", async () => {
    assert.equal(await detectPublicIpv4(async () => "127.0.0.5\n"), "127.0.0.5");
  });

  it("tells the user which key to set when detection fails", async () => {
    await assert.rejects(detectPublicIpv4(async () => { throw new Error("getaddrinfo ENOTFOUND"); }), /ENOTFOUND.*Set it yourself: npm run pulumi -- config set calico-ipam:allowedCidrs <your-ip>\/32$/);
    await assert.rejects(detectPublicIpv4(async () => "<html>captive portal</html>"), /not an IPv4 address.*calico-ipam:allowedCidrs/);
  });
});

describe("kubeadm podSubnet as kubeadm reads it", () => {
  it("accepts a podSubnet written with host bits, as Go's ParseCIDR does", () => {
    assert.equal(podCidrProblem("192.168.0.0/16", { kubeadmPodSubnet: "192.168.1.0/16", operatorInstalled: false }), undefined);
  });
});
