// Issue 14: the image pre-pull the install starts beside itself. Run with real bash and real jq in a
// sandbox; the fake curl serves a registry's API (index -> linux/amd64 manifest -> blobs) through
// the "mirror", and the fake docker prints the operator's image list. Nothing here may fail the lab.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { renderPrepullScript } from "../../lib/host/cloud-init";
import { REGISTRY_MIRROR } from "../../lib/core/versions";
import { makeSandbox, type RunResult, type Sandbox } from "../support/sandbox";
import { missingTool, skipIfMissing } from "../conformance/support/environment";
import { VERSIONS } from "./host-fixture";

const script = renderPrepullScript(VERSIONS);
const MIRROR = `http://127.0.0.1:${REGISTRY_MIRROR.hostPort}/v2`;
const OPERATOR = "quay.io/tigera/operator:v1.38.13";

/** What `operator --print-images=listcalico` prints at v1.38.13 (pkg/components/calico.go CalicoImages, then the operator). */
const OPERATOR_LIST = [
  "cni", "cni:fips", "cni-windows", "key-cert-provisioner", "kube-controllers", "kube-controllers:fips", "node", "node:fips",
  "node-windows", "typha", "typha:fips", "pod2daemon-flexvol", "apiserver", "apiserver:fips", "csi", "csi:fips",
  "node-driver-registrar", "node-driver-registrar:fips", "goldmane", "whisker", "whisker-backend", "envoy-gateway",
  "envoy-proxy", "envoy-ratelimit", "guardian",
].map((n) => (n.endsWith(":fips") ? `quay.io/calico/${n.slice(0, -5)}:v3.30.7-fips` : `quay.io/calico/${n}:v3.30.7`));

/** The images this lab runs: the operator, and Calico's Linux images for an Installation and an APIServer. */
const LAB_IMAGES = [OPERATOR, ...["cni", "kube-controllers", "node", "typha", "pod2daemon-flexvol", "apiserver", "csi", "node-driver-registrar"]
  .map((n) => `quay.io/calico/${n}:v3.30.7`)];

const digest = (s: string): string => `sha256:${Buffer.from(s).toString("hex").padEnd(64, "0").slice(0, 64)}`;

/** Serves one multi-platform image through the mirror: its index, its two platform manifests, and blobs. */
function serveImage(box: Sandbox, image: string): string[] {
  const [, repo, tag] = /^quay\.io\/(.+):([^:]+)$/.exec(image)!;
  const blobs = (platform: string) => [digest(`${repo}-${platform}-config`), digest(`${repo}-${platform}-layer1`), digest(`${repo}-${platform}-layer2`)];
  const manifest = (platform: string) => {
    const [config, ...layers] = blobs(platform);
    return JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: config }, layers: layers.map((d) => ({ digest: d })) });
  };
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: ["arm64", "amd64"].map((arch) => ({ digest: digest(`${repo}-${arch}`), platform: { os: "linux", architecture: arch } })),
  };
  box.serve(`${MIRROR}/${repo}/manifests/${tag}`, JSON.stringify(index));
  for (const arch of ["arm64", "amd64"]) box.serve(`${MIRROR}/${repo}/manifests/${digest(`${repo}-${arch}`)}`, manifest(arch));
  for (const blob of blobs("amd64")) box.serve(`${MIRROR}/${repo}/blobs/${blob}`, "blob");
  return blobs("amd64").map((b) => `${MIRROR}/${repo}/blobs/${b}`);
}

function provisionRegistry(box: Sandbox): Map<string, string[]> {
  box.serve(`${MIRROR}/`, "{}");
  box.serve(
    "https://raw.githubusercontent.com/projectcalico/calico/v3.30.7/manifests/tigera-operator.yaml",
    `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: tigera-operator\n          image: ${OPERATOR}\n          imagePullPolicy: IfNotPresent\n`,
  );
  box.setState("operator-images", [...OPERATOR_LIST, OPERATOR].join("\n") + "\n");
  const served = new Map<string, string[]>();
  for (const image of [...OPERATOR_LIST, OPERATOR]) served.set(image, serveImage(box, image));
  return served;
}

describe("prepull-images (sandbox)", function () {
  let box: Sandbox;
  let served: Map<string, string[]>;
  before(function () {
    skipIfMissing(this, missingTool("jq", "jq"));
  });
  const fetched = (): string[] => box.calls().filter((c) => c.startsWith("curl ")).map((c) => c.split(" ").at(-1)!);

  describe("when everything answers", () => {
    let run: RunResult;
    before(() => {
      box = makeSandbox();
      served = provisionRegistry(box);
      run = box.run(script);
      assert.equal(run.status, 0, run.stderr);
    });
    after(() => box.cleanup());

    it("pulls the node image by digest and records when it is there", () => {
      assert.ok(box.calls().includes(`docker pull -q ${VERSIONS.nodeImage}`));
      assert.match(box.read("var/lib/calico-ipam/timings") ?? "", /^nodeImagePresentSeconds 73$/m);
    });

    it("starts the quay.io mirror from its pinned image, on loopback, kept across restarts", () => {
      const start = box.calls().find((c) => c.startsWith("docker run -d"));
      assert.equal(
        start,
        `docker run -d --restart=always --name ${REGISTRY_MIRROR.name} -p 127.0.0.1:${REGISTRY_MIRROR.hostPort}:5000 ` +
          `-v ${REGISTRY_MIRROR.name}:/var/lib/registry -e REGISTRY_PROXY_REMOTEURL=https://quay.io ${REGISTRY_MIRROR.image}`,
      );
    });

    it("warms the mirror with the release's own image list: the operator's, less what the lab never runs", () => {
      // The operator named in the pinned release's tigera-operator.yaml lists the images, through the mirror.
      assert.ok(box.calls().includes(`docker run --rm 127.0.0.1:${REGISTRY_MIRROR.hostPort}/tigera/operator:v1.38.13 --print-images=listcalico`));
      const urls = fetched();
      for (const image of LAB_IMAGES) {
        for (const blob of served.get(image)!) assert.ok(urls.includes(blob), `${image}: ${blob} read through the mirror`);
      }
      // Only linux/amd64 blobs, and nothing of the variants and features the lab does not run.
      assert.ok(!urls.some((u) => u.includes("arm64")), "no arm64 blob");
      for (const skipped of ["fips", "windows", "whisker", "goldmane", "envoy", "guardian", "key-cert-provisioner"]) {
        assert.ok(!urls.some((u) => u.includes(skipped)), `nothing of ${skipped}`);
      }
      assert.match(run.stdout, /9 images from quay.io cached/);
      assert.match(box.read("var/lib/calico-ipam/timings") ?? "", /^calicoImagesCachedSeconds 73$/m);
    });
  });

  describe("when something fails", () => {
    beforeEach(() => {
      box = makeSandbox();
      served = provisionRegistry(box);
    });
    afterEach(() => box.cleanup());

    it("keeps a mirror that is already running (a second boot)", () => {
      box.setState(`container-${REGISTRY_MIRROR.name}`);
      assert.equal(box.run(script).status, 0);
      assert.ok(!box.calls().some((c) => c.startsWith("docker run -d")));
    });

    it("a failed node image pull only says so: the cluster pulls it itself", () => {
      box.setState("pull-fails");
      const run = box.run(script);
      assert.equal(run.status, 0);
      assert.match(run.stderr, /calico-ipam: prepull-images: could not pull kindest\/node:v1\.35\.0@sha256:4{64}; the cluster will pull it from the internet instead/);
      assert.doesNotMatch(box.read("var/lib/calico-ipam/timings") ?? "", /nodeImagePresentSeconds/);
      assert.match(run.stdout, /9 images from quay.io cached/, "the mirror is warmed all the same");
    });

    it("an image missing upstream only says so, and warms the others", () => {
      const blob = served.get("quay.io/calico/typha:v3.30.7")![1];
      fs.rmSync(`${box.dir}/web/${blob.replace("http://", "")}`);
      const run = box.run(script);
      assert.equal(run.status, 0);
      assert.match(run.stderr, /1 of 9 images could not be cached; the cluster will pull it from the internet instead/);
      assert.ok(fetched().includes(served.get("quay.io/calico/node:v3.30.7")!.at(-1)!));
    });

    it("a mirror that does not start only says so", () => {
      box.setState("mirror-fails");
      const run = box.run(script);
      assert.equal(run.status, 0);
      assert.match(run.stderr, /the quay.io mirror did not start; the cluster will pull it from the internet instead/);
    });

    it("an unreadable release manifest only says so", () => {
      fs.rmSync(`${box.dir}/web/raw.githubusercontent.com`, { recursive: true });
      const run = box.run(script);
      assert.equal(run.status, 0);
      assert.match(run.stderr, /the Calico v3\.30\.7 image list could not be read/);
    });
  });
});
