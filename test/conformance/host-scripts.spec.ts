// Issue 5, part 5: what runs on the lab host. The EC2 user data passes the real `cloud-init schema`
// (and names no key that no module reads), and every shell script the program sends passes the
// real `shellcheck`: each command's create/update/delete, for target aws and target local, and the
// install script cloud-init writes. Findings name the script, its line and the source file line.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RawConfig } from "../../lib/config";
import { cloudInitParts, cloudInitSchema, knownTopLevelKeys, silentProblems } from "./support/cloud-init";
import { unwrapSecrets } from "../support/lab-harness";
import { assertNoProblems, missingTool, skipIfMissing } from "./support/environment";
import { labArtifacts } from "./support/lab-artifacts";
import { describeFinding, shellcheck } from "./support/shellcheck";

const TARGETS: [string, RawConfig][] = [
  ["aws", {}],
  ["local", { target: "local" }],
];

describe("conformance: cloud-init user data (cloud-init schema)", function () {
  let known: Set<string>;

  before(function () {
    skipIfMissing(this, missingTool("cloud-init", "cloud-init"));
    known = knownTopLevelKeys();
  });

  it("target aws: the instance's userData passes `cloud-init schema --config-file`", async function () {
    this.timeout(60_000);
    const { userData } = await labArtifacts();
    assert.ok(userData, "the EC2 instance has user data");
    const result = cloudInitSchema(userData);
    assert.ok(result.ok, `cloud-init schema refused the user data:\n${result.output}`);
  });

  it("target aws: cloud-init unpacks the instance's gzipped userDataBase64 into that same cloud-config", async function () {
    this.timeout(60_000);
    const { lab, userData } = await labArtifacts();
    const packed = unwrapSecrets(lab.one("aws:ec2/instance:Instance").inputs.userDataBase64) as string;
    assert.deepEqual(cloudInitParts(Buffer.from(packed, "base64")), [{ type: "text/cloud-config", text: userData }]);
  });

  it("target aws: the userData names only keys some cloud-init module reads", async () => {
    const { userData } = await labArtifacts();
    assertNoProblems("user data", silentProblems(userData!, known));
  });

  describe("the checker itself", () => {
    it("reports a wrong type and a misspelt module key, naming them", async function () {
      this.timeout(60_000);
      const bad = "#cloud-config\npackage_update: 'yes'\nruncmdd:\n  - [ls]\n";
      const result = cloudInitSchema(bad);
      assert.equal(result.ok, false);
      assert.match(result.output, /package_update: 'yes' is not of type 'boolean'/);
      assert.deepEqual(silentProblems(bad, known), ["runcmdd: no cloud-init module reads this key (misspelt?), so it would be ignored"]);
    });

    it("reports user data without the #cloud-config line", () => {
      assert.match(silentProblems("package_update: true\n", known).join(), /not `#cloud-config`/);
    });
  });
});

describe("conformance: shell scripts the program sends (shellcheck)", function () {
  before(function () {
    skipIfMissing(this, missingTool("shellcheck", "shellcheck"));
  });

  for (const [target, raw] of TARGETS) {
    it(`target ${target}: every script passes shellcheck -s bash`, async function () {
      this.timeout(60_000);
      const { scripts } = await labArtifacts(raw);
      const names = scripts.map((s) => s.name);
      // Guard against checking nothing: the deploy command's three scripts are always there.
      for (const name of ["cluster-deploy.create", "cluster-deploy.update", "cluster-deploy.delete", "cluster-kubeconfig.create"]) {
        assert.ok(names.includes(name), `no ${name} among ${names.join(", ")}`);
      }
      if (target === "aws") {
        assert.ok(names.some((n) => n.endsWith("write_files /usr/local/sbin/calico-ipam-install-tools")), "the install script cloud-init writes");
        assert.ok(names.includes("host-wait-for-host.create"));
      }
      assertNoProblems(`shellcheck (target ${target}, ${scripts.length} scripts)`, shellcheck(scripts).map(describeFinding));
    });
  }

  it("the scripts users and CI run (scripts/*.sh, .ci/run) pass shellcheck -s bash", function () {
    this.timeout(60_000);
    const root = path.join(__dirname, "..", "..");
    const shell = fs.readdirSync(path.join(root, "scripts")).filter((f) => f.endsWith(".sh"));
    const files = [...shell.map((f) => path.join("scripts", f)), path.join(".ci", "run")];
    const scripts = files.map((file) => ({ name: file, text: fs.readFileSync(path.join(root, file), "utf8") }));
    assert.ok(scripts.length >= 2);
    assertNoProblems("shellcheck (repository scripts)", shellcheck(scripts).map(describeFinding));
  });

  describe("the checker itself", () => {
    it("reports an unquoted variable with its script, line and code", function () {
      this.timeout(60_000);
      const findings = shellcheck([{ name: "probe", text: "#!/usr/bin/env bash\nx=$1\necho $x\n" }]).map(describeFinding);
      assert.deepEqual(findings, ["probe:3:6: note SC2086: Double quote to prevent globbing and word splitting."]);
    });
  });
});
