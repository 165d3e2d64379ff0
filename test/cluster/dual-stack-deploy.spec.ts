// A dual-stack lab with labelled workers on the host: the deploy step the program sends, run by real
// bash in the host-script sandbox (test/support/sandbox.ts: fake containerlab, docker, kind), writes
// kind the very config the program rendered (both families' ranges, ipFamily dual, the labels), and
// the EC2 host turns IPv6 forwarding on.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { parse } from "yaml";
import { bashSingleQuotedValue, buildLabForTest, unwrapSecrets, userDataOf } from "../support/lab-harness";
import { makeSandbox, type Sandbox } from "../support/sandbox";

const CONFIG = { allowedCidrs: "127.0.0.1/32", ipFamily: "dual", workerLabels: '[{"rack": "a"}, {"lab.example/zone": "z2"}]' };
const NODES = ["calico-ipam-control-plane", "calico-ipam-worker", "calico-ipam-worker2"];
const KIND_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://0.0.0.0:6443\n  name: kind-calico-ipam\n";

describe("dual-stack deploy on the host", () => {
  let box: Sandbox;
  beforeEach(() => {
    box = makeSandbox();
    box.setState("kubeconfig", KIND_KUBECONFIG);
    box.setState("nodes", NODES.join("\n") + "\n");
  });
  afterEach(() => box.cleanup());

  it("hands kind the rendered dual-stack config through bash, byte for byte", async () => {
    const lab = await buildLabForTest(CONFIG);
    const deploy = unwrapSecrets(lab.one("command:remote:Command", "cluster-deploy").inputs) as { create: string };
    const run = box.run(deploy.create);
    assert.equal(run.status, 0, run.stderr);
    const labDir = `${box.home}/calico-ipam/calico-ipam`;
    assert.ok(box.calls().includes(`containerlab deploy --topo ${labDir}/calico-ipam.clab.yaml --reconfigure`));
    const written = fs.readFileSync(`${labDir}/calico-ipam.kind.yaml`, "utf8");
    assert.equal(written, bashSingleQuotedValue(deploy.create, "KIND_CONFIG"));
    const kind = parse(written) as { networking: Record<string, string>; nodes: { labels?: Record<string, string> }[] };
    assert.equal(kind.networking.ipFamily, "dual");
    assert.equal(kind.networking.podSubnet, "192.168.0.0/16,fd00:10:244::/56");
    assert.deepEqual(kind.nodes.map((n) => n.labels), [undefined, { rack: "a" }, { "lab.example/zone": "z2" }]);
  });

  it("the EC2 host's sysctl file turns IPv6 forwarding on (and keeps kind's inotify limits)", async () => {
    const lab = await buildLabForTest(CONFIG);
    const doc = parse(userDataOf(lab.one("aws:ec2/instance:Instance"))) as { write_files: { path: string; content: string }[] };
    const sysctl = doc.write_files.find((f) => f.path.startsWith("/etc/sysctl.d/"))!;
    assert.match(sysctl.content, /^net\.ipv6\.conf\.all\.forwarding = 1$/m);
    assert.match(sysctl.content, /^fs\.inotify\.max_user_instances = 512$/m);
  });
});
