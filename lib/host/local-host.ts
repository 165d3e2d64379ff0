// The real LocalHostProbe: asks the shell, never installs anything.
import { spawnSync } from "node:child_process";
import type { LocalHostProbe } from "./preflight";

export const realLocalHost: LocalHostProbe = {
  hasTool: (name) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { stdio: "ignore" }).status === 0,
  dockerAnswers: () => spawnSync("docker", ["info"], { stdio: "ignore", timeout: 15_000 }).status === 0,
  // The same test the step scripts' as_root makes.
  canRunAsRoot: () => process.getuid?.() === 0 || spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0,
};
