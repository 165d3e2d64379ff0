// What a user sees when the stack config is wrong: every problem at once, each naming the key,
// the bad value and what would be accepted, before any resource exists.
import * as assert from "node:assert/strict";
import { KIND_NODE_IMAGES } from "../../lib/core/versions";
import { ConfigError, parseLabConfig, RawConfig } from "../../lib/config";
import { onlyProblem as onlyProblemAt } from "./problems";

// Real keys from ssh-keygen (public halves only).
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqNiD5GL/iCmAo2dxdo4NAWkXdlbB5xiQXezoUCPTnW me@laptop";
const RSA =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDKTWCkTGjVtS631CLm8tj+pJXJSbNmyZ1brSvQ0cMwNsW1kbCrSLinLcYErC0AUUOANForsO6JSNoBo+aiFpxZvAFu16cTF0plsY8BB4siUUkQyOEKXQx0WkuzB8vE6xmVUJOgOHyigffx7O6ZaDevULIah8JW9PQSaJDTGit38b4Ks4AyO0j4t+X2LbqAJgotu0+yopjYyUopypacG7OjYek8iajAFcEZOWJxn3ePfOPJM1MRjT6AoEtXfphKxDue1MhToMeP6W+KU63StawkGHgyBpC7MWRhmXSeyRIpt2O9e0rX/mtiyh0In0bZfdBqYTnP8c7Xqgr8GEqpQPs9";
const ECDSA =
  "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBF51Fxp7bYtd4S2WWWhCBlLt/6hxnoEm6jE8qi+qojhs4dbT5DVxIpIYk6F3NWzbpYZjoAiW8+Ci01OdpaXXspMPcn//FxyZMNiFiBBj54Gg7WIHJZXDPuzNQph031E92A== x";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: c\n";

/** The config has exactly one problem; it names the key first and contains every fragment. */
function onlyProblem(raw: RawConfig, key: string, ...fragments: string[]): string {
  return onlyProblemAt(raw, `calico-ipam:${key} `, ...fragments);
}

interface Case {
  name: string;
  raw: RawConfig;
  key: string;
  /** Text the message must contain: the bad value (quoted) and what would be accepted. */
  says: string[];
}

const CASES: Case[] = [
  { name: "podCidr not a CIDR", raw: { podCidr: "192.168.0.0" }, key: "podCidr", says: ['"192.168.0.0"', "without a prefix length"] },
  { name: "podCidr with a prefix past /32", raw: { podCidr: "192.168.0.0/33" }, key: "podCidr", says: ['"192.168.0.0/33"', "/0 to /32"] },
  { name: "podCidr with host bits", raw: { podCidr: "192.168.1.0/16" }, key: "podCidr", says: ['"192.168.1.0/16"', 'did you mean "192.168.0.0/16"?'] },
  { name: "podCidr in octal-looking form", raw: { podCidr: "010.0.0.0/16" }, key: "podCidr", says: ['"010.0.0.0/16"', "dotted-quad"] },
  { name: "serviceCidr not a CIDR", raw: { serviceCidr: "10.96.0.0/x" }, key: "serviceCidr", says: ['"10.96.0.0/x"', "such as 192.168.0.0/16"] },
  { name: "serviceCidr with host bits", raw: { serviceCidr: "10.96.0.1/16" }, key: "serviceCidr", says: ['"10.96.0.1/16"', '"10.96.0.0/16"'] },
  { name: "vpcCidr with host bits", raw: { vpcCidr: "10.0.5.0/16" }, key: "vpcCidr", says: ['"10.0.5.0/16"', '"10.0.0.0/16"'] },
  { name: "allowedCidrs entry with host bits", raw: { allowedCidrs: "203.0.113.7/24" }, key: "allowedCidrs", says: ['"203.0.113.7/24"', '"203.0.113.0/24"'] },
  { name: "allowedCidrs bare address", raw: { allowedCidrs: '["203.0.113.7"]' }, key: "allowedCidrs", says: ['"203.0.113.7"', '"203.0.113.7/32"'] },
  { name: "allowedCidrs broken JSON", raw: { allowedCidrs: '["203.0.113.7/32"' }, key: "allowedCidrs", says: ["JSON list of CIDR strings"] },
  { name: "podCidr IPv6", raw: { podCidr: "fd00:10::/56" }, key: "podCidr", says: ['"fd00:10::/56"', "single-stack IPv4"] },
  { name: "podCidr smaller than kind's per-node /24", raw: { podCidr: "192.168.0.0/25" }, key: "podCidr", says: ['"192.168.0.0/25"', "/8 to /24"] },
  { name: "serviceCidr IPv6", raw: { serviceCidr: "fd00::/112" }, key: "serviceCidr", says: ['"fd00::/112"', "IPv4"] },
  { name: "serviceCidr larger than /12", raw: { serviceCidr: "10.0.0.0/8", vpcCidr: "172.31.0.0/16" }, key: "serviceCidr", says: ['"10.0.0.0/8"', "/12 to /28"] },
  { name: "vpcCidr larger than AWS allows", raw: { vpcCidr: "10.0.0.0/8", serviceCidr: "172.30.0.0/16" }, key: "vpcCidr", says: ['"10.0.0.0/8"', "/16 to /24"] },
  { name: "blockSize below 20", raw: { blockSize: "19" }, key: "blockSize", says: ['"19"', "20 to 32"] },
  { name: "blockSize above 32", raw: { blockSize: "40" }, key: "blockSize", says: ['"40"', "20 to 32"] },
  { name: "blockSize not a number", raw: { blockSize: "/26" }, key: "blockSize", says: ['"/26"', "whole number from 20 to 32"] },
  { name: "block larger than the pool", raw: { podCidr: "192.168.0.0/24", blockSize: "22" }, key: "blockSize", says: ['"22"', "larger than the pool", "use 24 to 32"] },
  { name: "fewer blocks than nodes", raw: { podCidr: "192.168.0.0/24", blockSize: "24" }, key: "blockSize", says: ['"24"', "only 1 /24 block", "3 nodes", "at least 26"] },
  { name: "podCidr overlapping serviceCidr", raw: { podCidr: "10.96.0.0/12" }, key: "podCidr", says: ['"10.96.0.0/12"', 'calico-ipam:serviceCidr "10.96.0.0/16" (the default)', "do not overlap"] },
  { name: "podCidr overlapping vpcCidr", raw: { podCidr: "10.0.0.0/16" }, key: "podCidr", says: ['"10.0.0.0/16"', 'calico-ipam:vpcCidr "10.0.0.0/16"', "EC2 host"] },
  { name: "podCidr overlapping kind's docker network", raw: { podCidr: "172.16.0.0/12" }, key: "podCidr", says: ['"172.16.0.0/12"', "172.18.0.0/16", "kind", "such as 192.168.0.0/16"] },
  { name: "podCidr overlapping containerlab's network", raw: { podCidr: "172.20.0.0/16" }, key: "podCidr", says: ['"172.20.0.0/16"', "172.20.20.0/24", "containerlab"] },
  { name: "podCidr on link-local", raw: { podCidr: "169.254.0.0/16" }, key: "podCidr", says: ['"169.254.0.0/16"', "metadata"] },
  { name: "serviceCidr overlapping vpcCidr", raw: { serviceCidr: "10.0.0.0/16", podCidr: "192.168.0.0/16" }, key: "serviceCidr", says: ['"10.0.0.0/16"', "calico-ipam:vpcCidr"] },
  { name: "encapsulation off Calico's enum", raw: { encapsulation: "vxlan" }, key: "encapsulation", says: ['"vxlan"', "VXLANCrossSubnet, VXLAN, IPIPCrossSubnet, IPIP, None", 'did you mean "VXLAN"?'] },
  { name: "natOutgoing as a boolean", raw: { natOutgoing: "true" }, key: "natOutgoing", says: ['"true"', "Enabled, Disabled", 'did you mean "Enabled"?'] },
  { name: "nodeSelector whitespace", raw: { nodeSelector: "  " }, key: "nodeSelector", says: ['"  "', "empty", 'the default "all()"'] },
  { name: "nodeSelector without parentheses", raw: { nodeSelector: "all" }, key: "nodeSelector", says: ['"all"', '"all()"'] },
  { name: "nodeSelector in kubectl syntax", raw: { nodeSelector: "kubernetes.io/os=linux" }, key: "nodeSelector", says: ['"kubernetes.io/os=linux"', "=="] },
  { name: "workers zero", raw: { workers: "0" }, key: "workers", says: ['"0"', "from 1 to 10", "one host"] },
  { name: "workers too many", raw: { workers: "11" }, key: "workers", says: ['"11"', "from 1 to 10", "memory"] },
  { name: "workers fractional", raw: { workers: "2.5" }, key: "workers", says: ['"2.5"', "whole number"] },
  { name: "open ingress without consent", raw: { allowedCidrs: "0.0.0.0/0" }, key: "allowedCidrs", says: ['"0.0.0.0/0"', "whole internet", "calico-ipam:allowOpenIngress"] },
  { name: "open IPv6 ingress without consent", raw: { allowedCidrs: '["203.0.113.7/32", "::/0"]' }, key: "allowedCidrs", says: ['"::/0"', "calico-ipam:allowOpenIngress"] },
  { name: "the internet in two halves without consent", raw: { allowedCidrs: '["0.0.0.0/1", "128.0.0.0/1"]' }, key: "allowedCidrs", says: ['"0.0.0.0/1", "128.0.0.0/1"', "the whole internet", "calico-ipam:allowOpenIngress"] },
  { name: "more than a /8 in pieces without consent", raw: { allowedCidrs: '["10.0.0.0/8", "11.0.0.0/9", "10.1.0.0/16"]' }, key: "allowedCidrs", says: ["more than a /8 of IPv4 addresses"] },
  { name: "calicoInstall off its list", raw: { target: "existing", kubeconfig: KUBECONFIG, calicoInstall: "read-only" }, key: "calicoInstall", says: ['"read-only"', "operator, installation, none", 'did you mean "none"?'] },
  { name: "calicoInstall short of the operator on a new cluster", raw: { calicoInstall: "installation" }, key: "calicoInstall", says: ['"installation"', 'calico-ipam:target is "aws"', "no CNI"] },
  { name: "the probe asked of a read-only stack", raw: { target: "existing", kubeconfig: KUBECONFIG, calicoInstall: "none", ipamProbe: "true" }, key: "ipamProbe", says: ['calico-ipam:calicoInstall is "none"', "writes nothing"] },
  { name: "empty allowedCidrs on aws", raw: { allowedCidrs: "[]" }, key: "allowedCidrs", says: ["empty list", "remove the key to detect it"] },
  { name: "kubernetesVersion without v", raw: { kubernetesVersion: "1.31.0" }, key: "kubernetesVersion", says: ['"1.31.0"', 'did you mean "v1.31.0"?'] },
  {
    name: "calicoVersion older than the manifests the lab installs",
    raw: { calicoVersion: "v3.29.4" },
    key: "calicoVersion",
    says: ['"v3.29.4"', "manifests/operator-crds.yaml", "ippools TigeraStatus", "use v3.30.0 or later, such as v3.30.7"],
  },
  { name: "calicoVersion of an older major", raw: { calicoVersion: "v2.99.0" }, key: "calicoVersion", says: ["use v3.30.0 or later"] },
  { name: "calicoVersion without patch", raw: { calicoVersion: "v3.30" }, key: "calicoVersion", says: ['"v3.30"', "vX.Y.Z, such as v3.30.7"] },
  { name: "labName with capitals", raw: { labName: "My_Lab" }, key: "labName", says: ['"My_Lab"', "lowercase", 'such as "my-lab"'] },
  { name: "labName too long", raw: { labName: "a".repeat(51) }, key: "labName", says: ["at most 50 characters (this one has 51)"] },
  { name: "sshPublicKey of an unknown type", raw: { sshPublicKey: "ssh-dss AAAAB3NzaC1kc3M= me" }, key: "sshPublicKey", says: ['"ssh-dss', "ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256"] },
  { name: "sshPublicKey with broken base64", raw: { sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI!! me" }, key: "sshPublicKey", says: ["not valid base64 key data"] },
  { name: "sshPublicKey truncated", raw: { sshPublicKey: ED25519.slice(0, 60) }, key: "sshPublicKey", says: ["not valid base64 key data"] },
  { name: "sshPublicKey type not matching its data", raw: { sshPublicKey: ED25519.replace("ssh-ed25519", "ssh-rsa") }, key: "sshPublicKey", says: ['the line says ssh-rsa but the key data says "ssh-ed25519"'] },
  { name: "instanceType without a size", raw: { instanceType: "t3" }, key: "instanceType", says: ['"t3"', "family.size, such as t3.xlarge"] },
  { name: "instanceType on arm64", raw: { instanceType: "m7g.xlarge" }, key: "instanceType", says: ['"m7g.xlarge"', "arm64", "amd64"] },
  { name: "instanceType too small", raw: { instanceType: "t3.micro" }, key: "instanceType", says: ['"t3.micro"', "2 GiB"] },
  { name: "rootVolumeGb not a number", raw: { rootVolumeGb: "50GB" }, key: "rootVolumeGb", says: ['"50GB"', "whole number from 20"] },
  { name: "rootVolumeGb too small", raw: { rootVolumeGb: "8" }, key: "rootVolumeGb", says: ['"8"', "at least 20", "kind node image"] },
  { name: "target unknown", raw: { target: "AWS" }, key: "target", says: ['"AWS"', "aws, local, existing", 'did you mean "aws"?'] },
  { name: "target existing without a kubeconfig", raw: { target: "existing" }, key: "target", says: ["calico-ipam:kubeconfig", "calico-ipam:kubeconfigPath", "set one"] },
  { name: "target existing with both kubeconfigs", raw: { target: "existing", kubeconfig: KUBECONFIG, kubeconfigPath: "/k" }, key: "target", says: ["keep only one"] },
  { name: "kubeconfig on target aws", raw: { kubeconfig: KUBECONFIG }, key: "kubeconfig", says: ['target is "aws"', "only with target \"existing\""] },
  { name: "kubeconfigPath with ~user", raw: { target: "existing", kubeconfigPath: "~bob/.kube/config" }, key: "kubeconfigPath", says: ['"~bob/.kube/config"', "full path"] },
  { name: "calicoTimeoutMinutes zero", raw: { calicoTimeoutMinutes: "0" }, key: "calicoTimeoutMinutes", says: ['"0"', "from 1 to 120"] },
  { name: "calicoTimeoutMinutes as a duration", raw: { calicoTimeoutMinutes: "15m" }, key: "calicoTimeoutMinutes", says: ['"15m"', "from 1 to 120"] },
  { name: "boolean spelled yes", raw: { ipamProbe: "yes" }, key: "ipamProbe", says: ['"yes"', "true, false", 'did you mean "true"?'] },
  { name: "boolean spelled True", raw: { allowOpenIngress: "True" }, key: "allowOpenIngress", says: ['"True"', 'did you mean "true"?'] },
  { name: "unknown key", raw: { blocksize: "24" }, key: "blocksize", says: ["did you mean blockSize?"] },
  {
    name: "kubernetesVersion kind v0.31.0 has no image for",
    raw: { kubernetesVersion: "v1.28.0" },
    key: "kubernetesVersion",
    says: ['"v1.28.0"', "kind v0.31.0 (inside containerlab v0.79.0) publishes node images for v1.35.0, v1.34.3, v1.33.7, v1.32.11, v1.31.14 only", "calico-ipam:nodeImage"],
  },
  { name: "kubernetesVersion with another patch", raw: { kubernetesVersion: "v1.34.1" }, key: "kubernetesVersion", says: ['did you mean "v1.34.3"?'] },
  { name: "nodeImage by tag only", raw: { nodeImage: "kindest/node:v1.36.0" }, key: "nodeImage", says: ["give the image by digest"] },
  { name: "nodeImage that is no image reference", raw: { nodeImage: "kindest/node v1.36" }, key: "nodeImage", says: ["expected an image reference"] },
];

describe("stack config validation", () => {
  it("takes kind's published image for kubernetesVersion, by digest, or the nodeImage given", () => {
    assert.equal(parseLabConfig({ kubernetesVersion: "v1.33.7" }).nodeImage, KIND_NODE_IMAGES["v1.33.7"]);
    const own = "registry.example/kind-node:v1.36.0@sha256:" + "a".repeat(64);
    const config = parseLabConfig({ kubernetesVersion: "v1.36.0", nodeImage: own });
    assert.deepEqual([config.kubernetesVersion, config.nodeImage], ["v1.36.0", own]);
  });

  it("takes any Calico release from v3.30.0 on", () => {
    for (const calicoVersion of ["v3.30.0", "v3.30.7", "v3.31.2", "v4.0.0"]) {
      assert.equal(parseLabConfig({ calicoVersion }).calicoVersion, calicoVersion);
    }
  });

  it("parses an empty config to the lab's defaults", () => {
    assert.deepEqual(parseLabConfig({}), {
      target: "aws", labName: "calico-ipam", instanceType: "t3.xlarge", rootVolumeGb: 50, vpcCidr: "10.0.0.0/16",
      allowedCidrs: undefined, allowOpenIngress: false, sshPublicKey: undefined, kubernetesVersion: "v1.35.0",
      nodeImage: KIND_NODE_IMAGES["v1.35.0"], workers: 2, calicoVersion: "v3.30.7", podCidr: "192.168.0.0/16", serviceCidr: "10.96.0.0/16", blockSize: 26,
      encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled", nodeSelector: "all()", calicoTimeoutMinutes: 15,
      ipamProbe: true, kubeconfig: undefined, kubeconfigPath: undefined, calicoInstall: "operator", stackId: undefined, ipFamily: "ipv4", podCidrV6: undefined, serviceCidrV6: undefined,
      pools: [{
        name: "default-ipv4-ippool", cidr: "192.168.0.0/16", blockSize: 26, encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled",
        nodeSelector: "all()", disableNewAllocations: false, assignmentMode: "Automatic",
      }],
      ipamConfig: undefined, workerLabels: [], namespaces: {}, workloads: [],
    });
  });

  it("accepts good values of every kind, trimming stray spaces", () => {
    const c = parseLabConfig({
      podCidr: " 10.244.0.0/16 ", blockSize: "28", workers: "10", allowedCidrs: '["203.0.113.7/32", "2001:db8::/64"]',
      encapsulation: "IPIP", natOutgoing: "Disabled", sshPublicKey: `${ED25519}\n`, rootVolumeGb: "20", instanceType: "m7i-flex.large",
      labName: "lab-1.test", calicoTimeoutMinutes: "120", ipamProbe: "false", nodeSelector: "kubernetes.io/os == 'linux'",
    });
    assert.equal(c.podCidr, "10.244.0.0/16");
    assert.equal(c.blockSize, 28);
    assert.equal(c.workers, 10);
    assert.deepEqual(c.allowedCidrs, ["203.0.113.7/32", "2001:db8::/64"]);
    assert.equal(c.sshPublicKey, ED25519);
    assert.equal(c.ipamProbe, false);
  });

  for (const key of [RSA, ECDSA]) {
    it(`accepts a ${key.split(" ")[0]} public key`, () => assert.equal(parseLabConfig({ sshPublicKey: key }).sshPublicKey, key));
  }

  it("lets a /8 and many small networks through, counting a nested one once", () => {
    assert.deepEqual(parseLabConfig({ allowedCidrs: '["10.0.0.0/8", "10.1.0.0/16"]' }).allowedCidrs, ["10.0.0.0/8", "10.1.0.0/16"]);
  });

  it("reads nothing but IPAM with calicoInstall none: no probe unless asked (and asking is refused)", () => {
    const config = parseLabConfig({ target: "existing", kubeconfig: KUBECONFIG, calicoInstall: "none" });
    assert.equal(config.calicoInstall, "none");
    assert.equal(config.ipamProbe, false);
  });

  it("accepts open ingress when allowOpenIngress is true", () => {
    assert.deepEqual(parseLabConfig({ allowedCidrs: "0.0.0.0/0,::/0", allowOpenIngress: "true" }).allowedCidrs, ["0.0.0.0/0", "::/0"]);
  });

  it("checks the VPC and kind networks only on targets that have them", () => {
    assert.equal(parseLabConfig({ target: "local", podCidr: "10.0.0.0/16" }).podCidr, "10.0.0.0/16");
    const existing = parseLabConfig({ target: "existing", kubeconfig: KUBECONFIG, podCidr: "172.18.0.0/16" });
    assert.equal(existing.podCidr, "172.18.0.0/16");
    assert.equal(existing.kubeconfig, KUBECONFIG);
  });

  for (const c of CASES) {
    it(`reports ${c.name}`, () => {
      onlyProblem(c.raw, c.key, ...c.says);
    });
  }

  it("never prints a pasted private key", () => {
    const secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    const message = onlyProblem({ sshPublicKey: secret }, "sshPublicKey", "(value not shown)", "private key", ".pub");
    assert.ok(!message.includes("b3BlbnNzaC1rZXktdjEAAAAA"), message);
  });

  it("never prints a kubeconfig, even a wrong one", () => {
    const message = onlyProblem({ target: "existing", kubeconfig: "/home/me/.kube/config" }, "kubeconfig", "(value not shown)", "calico-ipam:kubeconfigPath");
    assert.ok(!message.includes("/home/me"), message);
  });

  it("reports several bad keys together, in one error", () => {
    let error: unknown;
    try {
      parseLabConfig({ podCidr: "192.168.1.0/16", blockSize: "40", workers: "zero", encapsulation: "Vxlan", labName: "Lab", nodeSelector: "" });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError);
    const keys = error.problems.map((p) => p.split(" ")[0]).sort();
    assert.deepEqual(keys, ["blockSize", "encapsulation", "labName", "nodeSelector", "podCidr", "workers"].map((k) => `calico-ipam:${k}`));
    assert.match(error.message, /^calico-ipam: 6 configuration problems:\n {2}- calico-ipam:/);
  });

  it("never doubles \"is\" after the value, where a check's reason starts with one", () => {
    assert.equal(
      onlyProblem({ podCidr: "192.168.0.0" }, "podCidr"),
      'calico-ipam:podCidr is "192.168.0.0": an address without a prefix length',
    );
    assert.match(onlyProblem({ podCidr: "010.0.0.0/16" }, "podCidr"), /^calico-ipam:podCidr is "010\.0\.0\.0\/16": not a dotted-quad IPv4 CIDR/);
    assert.match(onlyProblem({ instanceType: "m7g.xlarge" }, "instanceType"), /^calico-ipam:instanceType is "m7g\.xlarge": an arm64 \(Graviton\) type, but /);
    // Where the value is the subject, the reason keeps its verb.
    assert.match(onlyProblem({ allowedCidrs: "10/8" }, "allowedCidrs"), /^calico-ipam:allowedCidrs entry "10\/8" is not a dotted-quad IPv4 CIDR/);
  });

  it("does not blame a good key for a bad one's value", () => {
    // The pod range is unusable, so nothing is said about its overlaps or its blocks.
    onlyProblem({ podCidr: "10.0.0.0/33", blockSize: "32" }, "podCidr", '"10.0.0.0/33"');
  });
});
