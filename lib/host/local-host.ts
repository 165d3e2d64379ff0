// The real LocalHostProbe: asks the shell, never installs anything.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import type { LocalHostProbe } from "./preflight";

function sysctl(name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/sys/${name.replace(/\./g, "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

export const realLocalHost: LocalHostProbe = {
  hasTool: (name) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { stdio: "ignore" }).status === 0,
  dockerAnswers: () => spawnSync("docker", ["info"], { stdio: "ignore", timeout: 15_000 }).status === 0,
  // The same test the step scripts' as_root makes.
  canRunAsRoot: () => process.getuid?.() === 0 || spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0,
  ipv6: () => {
    const kind = spawnSync("docker", ["network", "inspect", "kind", "--format", "{{.EnableIPv6}}"], { encoding: "utf8", timeout: 15_000 });
    return {
      kernelIpv6: sysctl("net.ipv6.conf.all.disable_ipv6") === "0",
      forwarding: sysctl("net.ipv6.conf.all.forwarding") === "1",
      kindNetworkIpv6: kind.status === 0 ? kind.stdout.trim() === "true" : undefined,
    };
  },
};
