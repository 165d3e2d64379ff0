// The real LocalHostProbe: asks the shell, never installs anything. It runs the tools the way the
// step scripts will: common.sh's as_root runs them directly as root, or through `sudo -n`, which
// searches sudo's secure_path rather than this user's PATH.
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import type { LocalHostProbe } from "./preflight";

function sysctl(name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/sys/${name.replace(/\./g, "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Who runs the probes: the process's own uid and environment, unless a test says otherwise. */
export interface LocalHostOptions {
  uid?: number;
  env?: NodeJS.ProcessEnv;
}

export function localHostProbe(options: LocalHostOptions = {}): LocalHostProbe {
  const uid = options.uid ?? process.getuid?.();
  const env = options.env ?? process.env;
  const run = (argv: string[]): SpawnSyncReturns<string> =>
    spawnSync(argv[0], argv.slice(1), { env, encoding: "utf8", timeout: 15_000, stdio: ["ignore", "pipe", "ignore"] });
  let sudo: boolean | undefined;
  // -k: ignore cached credentials (sudo(8): "used in conjunction with a command ... ignore the user's
  // cached credentials" and do not update them), so only passwordless sudo passes, as a later destroy needs.
  const canSudo = (): boolean => (sudo ??= run(["sudo", "-n", "-k", "true"]).status === 0);
  /**
   * As common.sh's as_root: directly when root, else `sudo -n` (which fails rather than asks for a
   * password). Without either the steps cannot run at all (the preflight says so); the probes then
   * ask as this user, the nearest answer there is.
   */
  const asRoot = (argv: string[]): SpawnSyncReturns<string> => run(uid !== 0 && canSudo() ? ["sudo", "-n", ...argv] : argv);
  const commandPath = (result: SpawnSyncReturns<string>): string | undefined =>
    result.status === 0 && result.stdout.trim() !== "" ? result.stdout.trim() : undefined;
  const lookUp = ["sh", "-c", 'command -v "$1"', "sh"];

  return {
    toolPath: (name) => commandPath(run([...lookUp, name])),
    rootToolPath: (name) => commandPath(asRoot([...lookUp, name])),
    // CLAB_VERSION_CHECK=disable: no look-up of the newest release on the network (cmd/version_manager.go).
    containerlabVersion: () => {
      const result = asRoot(["env", "CLAB_VERSION_CHECK=disable", "containerlab", "version"]);
      return result.status === 0 ? result.stdout : undefined;
    },
    dockerAnswers: () => asRoot(["docker", "info"]).status === 0,
    kindNodes: (clusterName) => {
      const result = asRoot(["docker", "ps", "-a", "--filter", `label=io.x-k8s.kind.cluster=${clusterName}`, "--format", "{{.Names}} {{.State}}"]);
      if (result.status !== 0) return undefined;
      return result.stdout.split("\n").filter((line) => line.trim() !== "").map((line) => {
        const [name, state = ""] = line.trim().split(/\s+/);
        return { name, state };
      });
    },
    canRunAsRoot: () => uid === 0 || canSudo(),
    ipv6: () => {
      const kind = asRoot(["docker", "network", "inspect", "kind", "--format", "{{.EnableIPv6}}"]);
      return {
        kernelIpv6: sysctl("net.ipv6.conf.all.disable_ipv6") === "0",
        forwarding: sysctl("net.ipv6.conf.all.forwarding") === "1",
        kindNetworkIpv6: kind.status === 0 ? kind.stdout.trim() === "true" : undefined,
      };
    },
  };
}

export const realLocalHost: LocalHostProbe = localHostProbe();
