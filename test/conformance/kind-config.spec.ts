// Issue 5, part 4: the kind config the deploy command writes (its KIND_CONFIG assignment) uses only
// real kind.x-k8s.io/v1alpha4 Cluster fields with their real types (kind-config.schema.json, from
// kind's types.go; kind rejects unknown keys), and its kubeadm patch is one kubeadm will apply.
// Issue 14: its containerd patch and the mirror's hosts.toml are TOML containerd will read.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import * as ipaddr from "ipaddr.js";
import type { RawConfig } from "../../lib/config";
import { MOCK_PUBLIC_DNS, MOCK_PUBLIC_IP } from "../support/mocks";
import { describeErrors } from "./support/crd-schema";
import { assertNoProblems, skipIfMissing } from "./support/environment";
import { labArtifacts, parseYamlStrictly } from "./support/lab-artifacts";
import { bashSingleQuotedValue } from "../support/lab-harness";
import { CONTAINERD_REGISTRY_HOSTS_PATCH, mirrorHostsToml } from "../../lib/cluster/topology";
import { REGISTRY_MIRROR } from "../../lib/core/versions";

/** TOML as a strict parser reads it (Python's tomllib), or why it cannot be read. */
function parseToml(text: string): { value?: unknown; error?: string } {
  const run = spawnSync("python3", ["-c", "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"], {
    input: text,
    encoding: "utf8",
  });
  return run.status === 0 ? { value: JSON.parse(run.stdout) } : { error: run.stderr.trim().split("\n").at(-1) };
}

function missingTomllib(): string | undefined {
  const run = spawnSync("python3", ["-c", "import tomllib"], { encoding: "utf8" });
  return run.status === 0 ? undefined : "python3 with tomllib (Python >= 3.11) not found — install with apt-get install python3";
}

const SCHEMA_FILE = path.join(__dirname, "kind-config.schema.json");

function kindConfigValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
  addFormats(ajv, ["ipv4", "ipv6"]);
  // kind parses podSubnet and serviceSubnet as one or two comma-separated CIDRs and refuses the cluster otherwise.
  ajv.addFormat("kind-subnets", { type: "string", validate: (s: string) => s.split(",").length <= 2 && s.split(",").every((c) => ipaddr.isValidCIDR(c)) });
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as object);
}

/**
 * kind's rule between ipFamily and the subnets (pkg/internal/apis/config/validate.go validateSubnets,
 * v0.31.0): single-stack takes one CIDR of its family, dual one of each.
 */
function familyProblems(config: Record<string, unknown>): string[] {
  const networking = (config.networking ?? {}) as Record<string, unknown>;
  const family = (networking.ipFamily as string | undefined) ?? "ipv4";
  return (["podSubnet", "serviceSubnet"] as const).flatMap((field) => {
    const value = networking[field];
    if (typeof value !== "string") return [];
    // A part that is no CIDR at all is the format check's to report.
    if (!value.split(",").every((c) => ipaddr.isValidCIDR(c))) return [];
    const kinds = value.split(",").map((c) => ipaddr.parseCIDR(c)[0].kind()).sort();
    if (family === "dual") return kinds.join() === "ipv4,ipv6" ? [] : [`/networking/${field}: ipFamily dual needs one IPv4 and one IPv6 CIDR (got ${JSON.stringify(value)})`];
    return kinds.length === 1 && kinds[0] === family ? [] : [`/networking/${field}: ipFamily ${family} needs one ${family} CIDR (got ${JSON.stringify(value)})`];
  });
}

async function kindConfigOf(raw: RawConfig): Promise<Record<string, unknown>> {
  const { deployScript } = await labArtifacts(raw);
  return parseYamlStrictly(bashSingleQuotedValue(deployScript, "KIND_CONFIG"), "KIND_CONFIG") as Record<string, unknown>;
}

describe("conformance: kind config (kind.x-k8s.io/v1alpha4 Cluster)", () => {
  const validate = kindConfigValidator();
  const problems = (config: unknown): string[] => [
    ...(validate(config) ? [] : describeErrors(validate.errors)),
    ...familyProblems(config as Record<string, unknown>),
  ];
  const EXPERIMENT: RawConfig = { ipFamily: "dual", workerLabels: '[{"rack": "a", "lab.example/zone": "z1"}, {}]' };

  for (const [target, raw] of [["aws", {}], ["local", { target: "local" }], ["aws, dual-stack with worker labels", EXPERIMENT]] as [string, RawConfig][]) {
    it(`target ${target}: KIND_CONFIG uses only kind's fields, with their types`, async () => {
      const config = await kindConfigOf(raw);
      assertNoProblems(`kind config (target ${target})`, problems(config));
      const roles = (config.nodes as { role?: string }[]).map((n) => n.role ?? "control-plane");
      assert.ok(roles.includes("control-plane"), "kind needs at least one control-plane node");
    });
  }

  it("target aws: the kubeadm patch is a ClusterConfiguration naming every address clients use", async () => {
    const config = await kindConfigOf({});
    const patches = (config.kubeadmConfigPatches as string[]).map((p, i) => parseYamlStrictly(p, `kubeadmConfigPatches[${i}]`));
    const clusterConfig = patches.filter((p) => (p as { kind?: string }).kind === "ClusterConfiguration");
    assert.equal(clusterConfig.length, 1, "one ClusterConfiguration patch");
    const sans = (clusterConfig[0] as { apiServer?: { certSANs?: unknown } }).apiServer?.certSANs;
    assert.ok(Array.isArray(sans) && sans.every((s) => typeof s === "string"), "apiServer.certSANs is a list of strings");
    for (const name of ["localhost", "127.0.0.1", MOCK_PUBLIC_IP, MOCK_PUBLIC_DNS]) {
      assert.ok(sans.includes(name), `certSANs lacks ${name}`);
    }
  });

  it("dual-stack with worker labels: both families' ranges, labels on the first worker only", async () => {
    const config = await kindConfigOf(EXPERIMENT);
    const networking = config.networking as Record<string, unknown>;
    assert.deepEqual([networking.ipFamily, networking.podSubnet, networking.serviceSubnet], ["dual", "192.168.0.0/16,fd00:10:244::/56", "10.96.0.0/16,fd00:10:96::/112"]);
    assert.deepEqual(config.nodes, [{ role: "control-plane" }, { role: "worker", labels: { rack: "a", "lab.example/zone": "z1" } }, { role: "worker" }]);
  });

  it("target local: leaves the API server on kind's loopback defaults, with no patch", async () => {
    const config = await kindConfigOf({ target: "local" });
    const networking = config.networking as Record<string, unknown>;
    assert.equal(networking.apiServerAddress, undefined);
    assert.equal(config.kubeadmConfigPatches, undefined);
  });

  describe("the registry mirror (issue 14)", () => {
    before(function () {
      skipIfMissing(this, missingTomllib());
    });

    for (const [target, raw] of [["aws", {}], ["local", { target: "local" }]] as [string, RawConfig][]) {
      it(`target ${target}: containerd reads registry hosts from certs.d, as kind's local-registry guide sets it`, async () => {
        const config = await kindConfigOf(raw);
        const patches = config.containerdConfigPatches as string[];
        assert.deepEqual(patches, [CONTAINERD_REGISTRY_HOSTS_PATCH]);
        const parsed = parseToml(patches[0]);
        assert.equal(parsed.error, undefined, `the patch is not TOML: ${parsed.error}`);
        assert.deepEqual(parsed.value, { plugins: { "io.containerd.grpc.v1.cri": { registry: { config_path: "/etc/containerd/certs.d" } } } });
      });
    }

    it("hosts.toml sends quay.io pulls to the host's mirror first, the upstream when it fails", async () => {
      const { deployScript } = await labArtifacts({});
      const hosts = bashSingleQuotedValue(deployScript, "MIRROR_HOSTS_TOML");
      assert.equal(hosts, mirrorHostsToml());
      const parsed = parseToml(hosts);
      assert.equal(parsed.error, undefined, `hosts.toml is not TOML: ${parsed.error}`);
      // containerd's hosts.md: `server` is the fallback; each [host] is tried first, in order.
      assert.deepEqual(parsed.value, {
        server: `https://${REGISTRY_MIRROR.upstream}`,
        host: { [`http://${REGISTRY_MIRROR.name}:5000`]: { capabilities: ["pull", "resolve"] } },
      });
      assert.equal(bashSingleQuotedValue(deployScript, "MIRROR_UPSTREAM"), "quay.io");
    });
  });

  // On a small valid config of its own, so these hold whatever the program renders.
  describe("the checker itself", () => {
    const baseline = (): Record<string, unknown> => {
      const config = { kind: "Cluster", apiVersion: "kind.x-k8s.io/v1alpha4", networking: { apiServerPort: 6443 }, nodes: [] };
      assert.deepEqual(problems(config), [], "the checker's own baseline is valid");
      return config;
    };

    it("refuses unknown keys at every level, naming them", () => {
      const config = baseline();
      Object.assign(config, { nodes: [{ role: "control-plane", extraPortMapping: [] }] });
      Object.assign(config.networking as object, { podCIDR: "10.0.0.0/16" });
      assert.deepEqual(problems(config), ['/networking: unknown field "podCIDR"', '/nodes/0: unknown field "extraPortMapping"']);
    });

    it("holds values to kind's types", () => {
      const config = baseline();
      Object.assign(config.networking as object, { apiServerPort: "6443", podSubnet: "192.168.0.0/33" });
      assert.deepEqual(problems(config), [
        '/networking/apiServerPort: must be integer (got "6443")',
        '/networking/podSubnet: must match format "kind-subnets" (got "192.168.0.0/33")',
      ]);
    });

    it("holds the subnets to the ipFamily, as kind's validateSubnets does", () => {
      const config = baseline();
      Object.assign(config.networking as object, { ipFamily: "dual", podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/16,fd00:10:96::/112" });
      assert.deepEqual(problems(config), ['/networking/podSubnet: ipFamily dual needs one IPv4 and one IPv6 CIDR (got "10.244.0.0/16")']);
      Object.assign(config.networking as object, { ipFamily: "ipv4", podSubnet: "10.244.0.0/16,fd00:10:244::/56", serviceSubnet: "10.96.0.0/16" });
      assert.deepEqual(problems(config), ['/networking/podSubnet: ipFamily ipv4 needs one ipv4 CIDR (got "10.244.0.0/16,fd00:10:244::/56")']);
    });

    it("takes node labels as a map of strings only", () => {
      const config = baseline();
      Object.assign(config, { nodes: [{ role: "worker", labels: { rack: 1 } }] });
      assert.deepEqual(problems(config), ["/nodes/0/labels/rack: must be string (got 1)"]);
    });
  });
});
