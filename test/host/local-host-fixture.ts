// Fake LocalHostProbes for target local's preflight: the real one asks this machine's shell.
import type { LocalHostProbe } from "../../lib/host/preflight";

/** A machine with everything target local needs: every tool where the user and root find it, a recent containerlab. */
export function readyLocalHost(overrides: Partial<LocalHostProbe> = {}): LocalHostProbe {
  return {
    toolPath: (name) => `/usr/bin/${name}`,
    rootToolPath: (name) => `/usr/bin/${name}`,
    containerlabVersion: () => "    version: 0.79.0\n     commit: 5a1b2c3d\n",
    dockerAnswers: () => true,
    canRunAsRoot: () => true,
    ...overrides,
  };
}
