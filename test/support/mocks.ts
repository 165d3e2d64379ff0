// The one set of Pulumi mocks for the whole mocha run (loaded with --require; the last setMocks wins).
// Every resource the program declares is logged so specs can assert on its inputs.
// Addresses are loopback only: nothing a test builds may point at a real host.
import * as pulumi from "@pulumi/pulumi";
import { engine } from "./engine";

export interface LoggedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** Resources declared since the last reset, in declaration order. */
export const declared: LoggedResource[] = [];
/** Invokes called since the last reset. */
export const invoked: { token: string; inputs: Record<string, unknown> }[] = [];

export function resetMocks(): void {
  declared.length = 0;
  invoked.length = 0;
}

export const MOCK_PUBLIC_IP = "127.0.0.10";
export const MOCK_PUBLIC_DNS = "localhost";
export const MOCK_KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "clusters:",
  "- cluster:",
  "    certificate-authority-data: Q0EK",
  "    server: https://0.0.0.0:6443",
  "  name: kind-calico-ipam",
  "contexts:",
  "- context:",
  "    cluster: kind-calico-ipam",
  "    user: kind-calico-ipam",
  "  name: kind-calico-ipam",
  "current-context: kind-calico-ipam",
  "users:",
  "- name: kind-calico-ipam",
  "  user:",
  "    client-certificate-data: Q0VSVAo=",
  "    client-key-data: S0VZCg==",
  "",
].join("\n");

/** What a step script prints on a real host, keyed by a marker the script contains. */
const stepOutputs: { marker: string; stdout: string }[] = [
  // What the real steps print: the host's first-boot stages (seconds since boot), then the cluster's.
  {
    marker: "calico-ipam step: wait-for-host",
    stdout: "calico-ipam timing cloudInitStartSeconds 9\ncalico-ipam timing installStartSeconds 31\n" +
      "calico-ipam timing toolsInstalledSeconds 88\ncalico-ipam timing hostReadySeconds 94\n",
  },
  {
    marker: "calico-ipam step: deploy-cluster",
    stdout: "INFO Creating lab directory\ncalico-ipam timing clusterCreateSeconds 131\n" +
      "calico-ipam timing toolsInstalledSeconds 88\ncalico-ipam timing nodeImagePresentSeconds 97\n",
  },
  { marker: "calico-ipam step: read-kubeconfig", stdout: MOCK_KUBECONFIG },
  // What the deploy saved, again (test/host/cluster-steps.spec.ts runs the real script).
  {
    marker: "calico-ipam step: keep-cluster",
    stdout: "calico-ipam timing clusterCreateSeconds 131\ncalico-ipam timing toolsInstalledSeconds 88\n" +
      "calico-ipam timing nodeImagePresentSeconds 97\ncalico-ipam: keep-cluster: the deploy script changed; the running cluster is kept\n",
  },
];

/** An update runs the `update` script when there is one, else `create` again (pulumi-command remote/commandController.go Update). */
function commandStdout(inputs: Record<string, unknown>, update = false): string {
  const script = update && typeof inputs.update === "string" ? inputs.update : typeof inputs.create === "string" ? inputs.create : "";
  return stepOutputs.find((s) => script.includes(s.marker))?.stdout ?? "";
}

let previewMode = false;

/** What a resource's provider hands back after a real create or update of these inputs. */
function createdState(type: string, inputs: Record<string, unknown>, update = false): Record<string, unknown> {
  const state: Record<string, unknown> = { ...inputs };
  switch (type) {
    case "aws:ec2/eip:Eip":
      state.publicIp = MOCK_PUBLIC_IP;
      state.publicDns = MOCK_PUBLIC_DNS;
      state.allocationId = "eipalloc-0mock";
      break;
    case "aws:ec2/keyPair:KeyPair":
      state.keyName = "calico-ipam-key-mock";
      break;
    case "aws:ec2/instance:Instance":
      state.privateIp = "127.0.0.11";
      break;
    case "tls:index/privateKey:PrivateKey":
      state.privateKeyOpenssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nmock\n-----END OPENSSH PRIVATE KEY-----\n";
      state.publicKeyOpenssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockMockMockMockMockMockMockMockMockMockMo mock\n";
      break;
    case "pulumi:index:Stash":
      // pulumi pkg/resource/deploy/builtins.go, Create: the output is the input it was created with.
      state.output = inputs.input;
      break;
    case "command:remote:Command":
    case "command:local:Command":
      state.stdout = commandStdout(inputs, update);
      state.stderr = "";
      break;
  }
  return state;
}

/** Lifecycle mode: runs are judged against the state the previous `up` left (test/support/engine.ts). */
let lifecycle = false;

export function setLifecycle(on: boolean): void {
  lifecycle = on;
  engine.reset();
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
    declared.push({ type: args.type, name: args.name, inputs: args.inputs });
    if (lifecycle) return engine.registerResolved(args, (inputs, plan) => createdState(args.type, inputs, plan === "update"));
    // A brand-new stack's preview: nothing exists yet, so ids and computed outputs are unknown.
    if (previewMode) return { id: undefined, state: { ...args.inputs } };
    return { id: `${args.name}-id`, state: createdState(args.type, args.inputs) };
  },
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    invoked.push({ token: args.token, inputs: args.inputs });
    switch (args.token) {
      case "aws:ec2/getAmi:getAmi":
        return { id: "ami-0123456789abcdef0", name: "ubuntu-noble-24.04-amd64-server-20261101" };
      case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
        // Unsorted on purpose: the program must pick deterministically.
        return { locations: ["us-east-1b", "us-east-1a"], instanceTypes: ["t3.xlarge", "t3.xlarge"], locationTypes: [] };
      default:
        return args.inputs;
    }
  },
};

export function isPreview(): boolean {
  return previewMode;
}

/** Switches the mocks between `pulumi up` (false) and `pulumi preview` (true) semantics. */
export async function setPreview(preview: boolean): Promise<void> {
  previewMode = preview;
  await pulumi.runtime.setMocks(mocks, "calico-ipam", "dev", previewMode);
}

void setPreview(false);
