import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { PREPULL_SCRIPT_PATH, renderCloudInit } from "../../lib/host/cloud-init";
import { DOCKER_PACKAGES, REGISTRY_MIRROR } from "../../lib/core/versions";
import { VERSIONS } from "./host-fixture";

describe("cloud-init", () => {
  const userData = renderCloudInit(VERSIONS);
  const doc = parse(userData);
  const file = (p: string): string => doc.write_files.find((f: { path: string }) => f.path === p).content as string;

  it("is a #cloud-config document that raises kind's inotify limits", () => {
    assert.ok(userData.startsWith("#cloud-config\n"));
    const sysctl = doc.write_files.find((f: { path: string }) => f.path.startsWith("/etc/sysctl.d/"));
    assert.match(sysctl.content, /fs\.inotify\.max_user_watches = 524288/);
    assert.match(sysctl.content, /fs\.inotify\.max_user_instances = 512/);
  });

  it("pins every tool, kubectl and calicoctl to the stack's versions", () => {
    const script = file("/usr/local/sbin/calico-ipam-install-tools");
    for (const [key, value] of [["DOCKER_VERSION", DOCKER_PACKAGES.dockerCe], ["CONTAINERD_VERSION", DOCKER_PACKAGES.containerdIo],
      ["CONTAINERLAB_VERSION", "v0.79.0"], ["KIND_VERSION", "v0.31.0"], ["KUBECTL_VERSION", "v1.35.0"], ["CALICOCTL_VERSION", "v3.30.7"]]) {
      assert.ok(script.includes(`\n${key}='${value}'\n`), `${key}='${value}'`);
    }
    assert.doesNotMatch(script, /curl[^\n]*\|\s*(sudo )?(ba)?sh/, "no curl|bash installers");
    assert.deepEqual(doc.runcmd.at(-1), ["/usr/local/sbin/calico-ipam-install-tools"]);
  });

  it("leaves apt to the install script: no second `apt-get update` racing Ubuntu's first-boot jobs", () => {
    assert.equal(doc.package_update, undefined);
    assert.equal(doc.packages, undefined);
  });

  it("writes the image pre-pull for the stack's node image and Calico release, with the pinned mirror", () => {
    const script = file(PREPULL_SCRIPT_PATH);
    assert.ok(script.includes(`\nNODE_IMAGE='${VERSIONS.nodeImage}'\n`));
    assert.ok(script.includes("\nCALICO_VERSION='v3.30.7'\n"));
    assert.ok(script.includes(`\nMIRROR_IMAGE='${REGISTRY_MIRROR.image}'\n`));
    assert.match(REGISTRY_MIRROR.image, /@sha256:[0-9a-f]{64}$/, "the registry image is pinned by digest");
  });
});
