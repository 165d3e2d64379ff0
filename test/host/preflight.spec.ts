import * as assert from "node:assert/strict";
import { localPreflight } from "../../lib/host/preflight";
import { podCidrProblem, podSubnetFromKubeadmConfig } from "../../lib/cluster/existing-cluster";
import { detectPublicIpv4 } from "../../lib/host/public-ip";

describe("local preflight", () => {
  it("is quiet when everything is there", () => {
    assert.equal(localPreflight({ hasTool: () => true, dockerAnswers: () => true, canRunAsRoot: () => true }), undefined);
  });

  it("lists every missing tool in one message", () => {
    const message = localPreflight({ hasTool: () => false, dockerAnswers: () => false, canRunAsRoot: () => true })!;
    for (const tool of ["docker", "containerlab", "kind", "kubectl"]) assert.match(message, new RegExp(`- ${tool}: not found`));
    // With no docker at all, "the daemon does not answer" would only be noise.
    assert.doesNotMatch(message, /does not answer/);
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
    await assert.rejects(detectPublicIpv4(async () => { throw new Error("getaddrinfo ENOTFOUND"); }), /ENOTFOUND.*calico-ipam:allowedCidrs/);
    await assert.rejects(detectPublicIpv4(async () => "<html>captive portal</html>"), /not an IPv4 address.*calico-ipam:allowedCidrs/);
  });
});

describe("kubeadm podSubnet as kubeadm reads it", () => {
  it("accepts a podSubnet written with host bits, as Go's ParseCIDR does", () => {
    assert.equal(podCidrProblem("192.168.0.0/16", { kubeadmPodSubnet: "192.168.1.0/16", operatorInstalled: false }), undefined);
  });
});
