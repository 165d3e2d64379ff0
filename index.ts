// The Pulumi program: read and validate the stack config, build the lab, export its outputs.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, LabConfig, parseLabConfig, RawConfig } from "./lib/config";
import { buildLab } from "./lab";
import { detectPublicIpv4 } from "./lib/host/public-ip";
import { agentAnswers } from "./lib/host/ssh-agent";
import { realLocalHost } from "./lib/host/local-host";
import { inspectExistingCluster } from "./lib/cluster/existing-cluster";
import { waitForCalicoReady } from "./lib/calico/ready";
import { readIpamState } from "./lib/ipam/reader";
import { readIpamProbeTimings } from "./lib/ipam/probe-timing";
import { readLivePools, readWorkloads } from "./lib/ipam/experiment-reader";

function readRawConfig(): RawConfig {
  // Every key of our namespace goes to the validator, which also reports keys it does not know.
  const all = pulumi.runtime.allConfig();
  const prefix = `${CONFIG_NAMESPACE}:`;
  return Object.fromEntries(
    Object.entries(all).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

/**
 * Bad config is the user's to fix, not a crash: Pulumi's Node runtime prints a RunError's message
 * alone, but any other error with its stack and, through util.inspect, the ConfigError's `problems`
 * list a second time (sdk/nodejs/cmd/run/run.ts, uncaughtHandler; cmd/run/error.ts, defaultErrorMessage).
 */
function validatedConfig(): LabConfig {
  try {
    return parseLabConfig(readRawConfig());
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

export = async () =>
  buildLab(validatedConfig(), {
  detectPublicIp: () => detectPublicIpv4(),
  sshAgentSocket: process.env.SSH_AUTH_SOCK,
  sshAgentAnswers: agentAnswers,
  localHost: realLocalHost,
  readFile: (path) => fs.readFileSync(path, "utf8"),
  inspectCluster: inspectExistingCluster,
  waitForCalico: waitForCalicoReady,
  readIpamState,
  readIpamProbeTimings: (kubeconfig) => readIpamProbeTimings(kubeconfig),
  readWorkloads: (kubeconfig, queries) => readWorkloads(kubeconfig, queries),
  readLivePools: (kubeconfig) => readLivePools(kubeconfig),
  });
