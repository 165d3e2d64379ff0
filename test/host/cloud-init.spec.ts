import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { EC2_USER_DATA_LIMIT_BYTES, packUserData, PREPULL_SCRIPT_PATH, renderCloudInit } from "../../lib/host/cloud-init";
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

  describe("as EC2 receives it", () => {
    // An OpenSSH ED25519 private key is about 400 characters of base64 that does not compress.
    const body = randomBytes(300).toString("base64").replace(/.{70}/g, "$&\n");
    const hostKey = {
      privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`,
      publicKey: `ssh-ed25519 ${randomBytes(51).toString("base64")}`,
    };
    const plain = renderCloudInit(VERSIONS, hostKey);

    it("fits EC2's 16 KB limit gzipped, with room to grow, though the plain text does not", () => {
      const packed = Buffer.from(packUserData(plain), "base64");
      assert.ok(Buffer.byteLength(plain) > EC2_USER_DATA_LIMIT_BYTES, "if the plain text fits again, gzip is no longer needed");
      assert.ok(packed.length <= EC2_USER_DATA_LIMIT_BYTES * 0.75, `${packed.length} bytes gzipped: under 3/4 of the limit`);
      assert.equal(gunzipSync(packed).toString("utf8"), plain);
    });

    it("is the same bytes for the same config, so a preview shows no change", () => {
      assert.equal(packUserData(plain), packUserData(plain));
    });

    it("refuses to render user data EC2 would refuse, naming the limit", () => {
      const huge = `#cloud-config\nwrite_files:\n- content: ${randomBytes(20_000).toString("base64")}\n`;
      assert.throws(() => packUserData(huge), /over EC2's limit of 16384/);
    });
  });
});
