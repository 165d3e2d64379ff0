// Checks of single config values: each returns what is wrong with a value, or undefined.
import { parseCidr } from "../core/cidr";
import { HOST_TOOLS, KIND_NODE_IMAGES, OLDEST_CALICO_VERSION, releaseAtLeast } from "../core/versions";
import { selectorProblem } from "./selector";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKey, DEFAULTS, Target } from "./keys";

const SSH_KEY_TYPES = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

export const q = (key: string): string => `${CONFIG_NAMESPACE}:${key}`;
/** JSON quotes make stray spaces visible; long values are cut so one problem stays one line. */
export const show = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
/**
 * `key is "value": why`, the form of most problems: the reasons the checks give are written to follow
 * the value ("is not written canonically", "has host bits set"), so a leading "is" is dropped there.
 */
export const isValue = (where: string, shown: string, why: string): string => `${where} is ${shown}: ${why.replace(/^is /, "")}`;
/** Case and separators ignored: "block-size" and "blocksize" both mean blockSize. */
export const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, "");
export const isConfigKey = (key: string): key is ConfigKey => (CONFIG_KEYS as readonly string[]).includes(key);

/** A check returns what is wrong with a value, or undefined when it is fine. */
export type Check = (value: string) => string | undefined;

export function oneOf(allowed: readonly string[], aliases: Record<string, string> = {}): Check {
  return (v) => {
    if (allowed.includes(v)) return undefined;
    // Object.hasOwn: "constructor" is not an alias, whatever Object.prototype says.
    const near = allowed.find((a) => squash(a) === squash(v)) ?? (Object.hasOwn(aliases, squash(v)) ? aliases[squash(v)] : undefined);
    return `expected one of ${allowed.join(", ")}${near ? `; did you mean ${JSON.stringify(near)}?` : ""}`;
  };
}

export const bool = oneOf(["true", "false"], { yes: "true", no: "false", on: "true", off: "false" });

export function wholeNumber(min: number, max: number, why: string): Check {
  return (v) => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `expected a whole number from ${min} to ${max}: ${why}`);
}

export function version(example: string): Check {
  return (v) => {
    if (/^v\d+\.\d+\.\d+$/.test(v)) return undefined;
    return /^\d+\.\d+\.\d+$/.test(v) ? `expected vX.Y.Z with a leading "v": did you mean "v${v}"?` : `expected vX.Y.Z, such as ${example}`;
  };
}

/** vX.Y.Z from OLDEST_CALICO_VERSION on: older releases lack the manifests and the status the lab uses. */
export function calicoVersion(example: string): Check {
  const form = version(example);
  return (v) => {
    const why = form(v);
    if (why !== undefined) return why;
    if (releaseAtLeast(v, OLDEST_CALICO_VERSION)) return undefined;
    return `the lab installs Calico's CRDs from manifests/operator-crds.yaml and waits for the ippools TigeraStatus, ` +
      `which Calico ships from ${OLDEST_CALICO_VERSION} on; use ${OLDEST_CALICO_VERSION} or later, such as ${example}`;
  };
}

/**
 * kind (inside containerlab) runs only the node images published with its own release: without an
 * explicit nodeImage, kubernetesVersion must be one of those (lib/core/versions.ts KIND_NODE_IMAGES).
 */
export function kubernetesVersion(nodeImageSet: boolean): Check {
  const form = version(Object.keys(KIND_NODE_IMAGES)[0]);
  return (v) => {
    const why = form(v);
    if (why !== undefined || nodeImageSet || v in KIND_NODE_IMAGES) return why;
    const known = Object.keys(KIND_NODE_IMAGES);
    const minor = v.split(".").slice(0, 2).join(".");
    const near = known.find((k) => k.startsWith(`${minor}.`));
    return `kind ${HOST_TOOLS.kind} (inside containerlab ${HOST_TOOLS.containerlab}) publishes node images for ${known.join(", ")} only` +
      `${near ? `; did you mean "${near}"?` : ""} (or set ${q("nodeImage")} to an image built for kind ${HOST_TOOLS.kind})`;
  };
}

/** An image reference as Docker reads it: name[:tag][@sha256:digest]. */
export const nodeImage: Check = (v) => {
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(v)) {
    return `expected an image reference such as ${KIND_NODE_IMAGES["v1.35.0"]}`;
  }
  return /@sha256:/.test(v) ? undefined : "give the image by digest (name:tag@sha256:...), as kind's release notes ask: a tag can move";
};

export interface CidrRules {
  ipv4Only?: string;
  prefix?: { min: number; max: number; why: string };
  /** A bare address is a plausible host entry (allowedCidrs): suggest it as a /32. */
  hostOk?: boolean;
}

export function cidr(rules: CidrRules): Check {
  return (v) => {
    const parsed = parseCidr(v);
    if (!parsed.ok) {
      const s = parsed.suggestion;
      const useful = s !== undefined && (rules.hostOk || !/\/(32|128)$/.test(s));
      return `${parsed.problem}${useful ? `; did you mean ${JSON.stringify(s)}?` : ""}`;
    }
    const { family, prefix } = parsed.cidr;
    if (rules.ipv4Only && family !== "IPv4") return rules.ipv4Only;
    const range = rules.prefix;
    if (range && (prefix < range.min || prefix > range.max)) return `a /${prefix} ${range.why}`;
    return undefined;
  };
}

export const labName: Check = (v) => {
  if (/^[a-z0-9][a-z0-9.-]*$/.test(v) && v.length <= 50) return undefined;
  const fix = v.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[.-]+/, "").slice(0, 50);
  const len = v.length > 50 ? ` (this one has ${v.length})` : "";
  return `kind and containerlab take lowercase letters, digits, "." and "-", starting with a letter or digit, ` +
    `at most 50 characters${len}${fix && fix !== v ? `; such as ${JSON.stringify(fix)}` : ""}`;
};

export const stackId: Check = (v) =>
  /^[a-z0-9][a-z0-9-]{3,62}$/.test(v)
    ? undefined
    : `expected 4 to 63 lowercase letters, digits and "-", starting with a letter or digit, such as the 12 hex digits npm run up sets`;

export function instanceType(target: Target): Check {
  return (v) => {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/.test(v)) {
      return `expected an AWS instance type of the form family.size, such as ${DEFAULTS.instanceType}`;
    }
    if (/\.(nano|micro|small)$/.test(v)) {
      return `has 2 GiB of memory or less, too little for ${DEFAULTS.workers + 1} kind nodes and Calico; use ${DEFAULTS.instanceType} (16 GiB) or at least a .large`;
    }
    // Graviton families carry a "g" after the generation digit (m7g, c6gn, t4g); the lab's Ubuntu image is amd64.
    if (target === "aws" && /^(a1|[a-z]+\d+[a-z]*g[a-z]*)(-[a-z0-9]+)*\./.test(v)) {
      return `is an arm64 (Graviton) type, but the lab boots an amd64 Ubuntu image; use an Intel or AMD type such as ${DEFAULTS.instanceType} or m7a.xlarge`;
    }
    return undefined;
  };
}

/** SSH wire format: a list of uint32-length-prefixed strings; undefined when the lengths do not add up. */
function sshStrings(body: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    if (at + 4 > body.length) return undefined;
    const len = body.readUInt32BE(at);
    if (at + 4 + len > body.length) return undefined;
    out.push(body.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

export const sshPublicKey: Check = (v) => {
  if (v.includes("PRIVATE KEY")) return "is a private key: give the public key, the one line of the .pub file";
  if (v.includes("\n")) return "holds several lines: give exactly one public key";
  const [type, body = ""] = v.split(/\s+/);
  if (!SSH_KEY_TYPES.includes(type)) return `expected an OpenSSH public key line starting with one of ${SSH_KEY_TYPES.join(", ")}`;
  const fields = /^[A-Za-z0-9+/]+={0,2}$/.test(body) && body.length % 4 === 0 ? sshStrings(Buffer.from(body, "base64")) : undefined;
  if (!fields || fields.length < 2) return `the key after "${type}" is not valid base64 key data (truncated or edited?)`;
  const embedded = fields[0].toString("latin1");
  if (embedded !== type) return `the line says ${type} but the key data says ${JSON.stringify(embedded.slice(0, 30))}`;
  const ok = type === "ssh-ed25519" ? fields.length === 2 && fields[1].length === 32
    : type === "ssh-rsa" ? fields.length === 3
    : fields.length === 3 && `ecdsa-sha2-${fields[1].toString("latin1")}` === type;
  return ok ? undefined : `the ${type} key data has the wrong structure (truncated or edited?)`;
};

export const nodeSelector: Check = (v) => {
  if (v === "all") return `Calico selectors are expressions: did you mean "all()"?`;
  if (/^[^=!]+=[^=]/.test(v)) return `Calico selectors compare with ==, such as "kubernetes.io/os == 'linux'" (or "all()")`;
  const problem = selectorProblem(v);
  return problem ? `not a Calico selector (${problem}); such as "kubernetes.io/os == 'linux'" or "all()"` : undefined;
};

export const kubeconfig: Check = (v) => {
  if (!v.includes("\n") && !v.trimStart().startsWith("{")) return `looks like a file path, not kubeconfig contents: set ${q("kubeconfigPath")} to it instead`;
  return /\bclusters\b/.test(v) ? undefined : "does not look like a kubeconfig (it has no clusters section)";
};

export const kubeconfigPath: Check = (v) =>
  v.startsWith("~") && v !== "~" && !v.startsWith("~/") ? "~user is not expanded: write the full path, such as /home/you/.kube/config" : undefined;

export const WHY = {
  rootVolumeGb:
    "Ubuntu, Docker, the kind node image and Calico's images in every node container take about 10 GiB, and the " +
    "kubelet evicts pods when the disk runs low, so the lab needs at least 20 (gp3 volumes end at 16384)",
  workers:
    "every node is a container on one host running kubelet, containerd and calico-node, and past 10 the host runs " +
    "out of memory and inotify instances; at least 1 worker, so blocks spread over several nodes",
  blockSize: "Calico's operator accepts IPv4 block sizes from 20 to 32; 26 (64 addresses per block) is Calico's default",
  calicoTimeoutMinutes: "minutes to wait for Calico to become ready (it usually takes a few)",
};

export function podCidrRules(kind: boolean): CidrRules {
  return {
    ipv4Only: "this lab is single-stack IPv4 (kind's podSubnet and one IPv4 Calico pool): use an IPv4 CIDR such as 192.168.0.0/16",
    // kubeadm (inside kind) carves a /24 per node out of the pod subnet and allows at most 16 bits between the two.
    prefix: kind ? { min: 8, max: 24, why: "is outside /8 to /24, the pod subnets kind's kubeadm accepts (it gives each node a /24)" } : undefined,
  };
}
export const SERVICE_CIDR_RULES: CidrRules = {
  ipv4Only: "this lab is single-stack IPv4: the service range must be IPv4 too, such as 10.96.0.0/16",
  prefix: { min: 12, max: 28, why: "is outside /12 to /28: kube-apiserver refuses ranges larger than /12, and kubeadm puts cluster DNS at the tenth address" },
};
export const VPC_CIDR_RULES: CidrRules = {
  ipv4Only: "an AWS VPC's primary CIDR is IPv4, such as 10.0.0.0/16",
  prefix: { min: 16, max: 24, why: "is outside /16 to /24: AWS VPCs are /16 to /28, and the lab's public subnet is the VPC's first /24" },
};
