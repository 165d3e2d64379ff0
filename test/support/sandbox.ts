// A throwaway machine for the step scripts: a scratch folder standing in for `/` (the scripts' ROOT,
// via CALICO_IPAM_TEST_ROOT), a HOME, and fake commands first on PATH that behave like the real
// tools where it matters: line-at-a-time output that dies of SIGPIPE when the reader leaves early,
// exit codes, apt's lists lock, downloads served from files (tamper with one to test a checksum).
// Everything else (bash, timeout, grep, awk, sha256sum, install, jq, sed) is the machine's real tool.
// Nothing reaches the network: curl, getent and docker are fakes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  /** The scratch folder; removed by cleanup(). */
  dir: string;
  /** Stands in for `/`. */
  root: string;
  home: string;
  /** Writes a fake's behaviour switch (read by the fakes below) or any file under the sandbox. */
  setState(name: string, content?: string): void;
  clearState(name: string): void;
  /** Serves `content` at `url` (scheme dropped) through the fake curl. */
  serve(url: string, content: string | Buffer): void;
  /** Fake invocations, in order: "tool arg1 arg2". */
  calls(): string[];
  /** Runs the scripts as an ordinary user (uid 1000), so as_root goes through sudo. */
  pretendNotRoot(): void;
  /** Takes a fake off PATH (a tool that is not installed). */
  removeFake(name: string): void;
  /** A file under root, or undefined when absent. */
  read(rootPath: string): string | undefined;
  /** The environment the scripts run with (PATH starts with the fakes), for running other programs in the sandbox. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Runs a script with real bash in the sandbox. */
  run(script: string, env?: Record<string, string>): RunResult;
  /** The same, without blocking the event loop (for many runs side by side). */
  runAsync(script: string, env?: Record<string, string>): Promise<RunResult>;
  cleanup(): void;
}

// Each fake logs its call, then acts on switches in $SANDBOX/state. `emit` writes a listing one line
// per write(2), as apt-cache and kind do, and does not ignore SIGPIPE: a reader that stops early kills it.
const PRELUDE = `#!/usr/bin/env bash
set -u
S="$SANDBOX/state"
printf '%s\\n' "\${0##*/} $*" >> "$SANDBOX/calls.log"
state() { [ -e "$S/$1" ]; }
emit() { local line; while IFS= read -r line; do printf '%s\\n' "$line"; done < "$1"; }
`;

const FAKES: Record<string, string> = {
  "apt-get": `
if [ "$*" != "\${*#*update}" ] && state apt-lists-locked; then
  n=$(cat "$S/apt-lists-locked")
  if [ "$n" -gt 0 ]; then
    echo $((n - 1)) > "$S/apt-lists-locked"
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 2416 (apt-get)" >&2
    echo "N: Be aware that removing the lock file is not a solution and may break your system." >&2
    exit 100
  fi
fi
if [ "$*" != "\${*#*install}" ] && state apt-install-waits-for; then
  # Holds the install until another call shows up (proves the two run side by side), 5 s at most.
  for _ in $(seq 500); do grep -qF -- "$(cat "$S/apt-install-waits-for")" "$SANDBOX/calls.log" && break; "$REAL_SLEEP" 0.01; done
fi
if [ "$*" != "\${*#*update}" ] && state apt-update-broken; then
  echo "E: The repository 'https://download.docker.com/linux/ubuntu noble InRelease' is not signed." >&2
  exit 100
fi
echo "Reading package lists..."
exit 0`,
  "apt-cache": `
[ "$1" = madison ] || exit 0
if state "madison-$2"; then emit "$S/madison-$2"; fi
exit 0`,
  curl: `
out=""; url=""; fail=0
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift ;;
    -H|--retry|--retry-delay|--connect-timeout|--max-time|-w) shift ;;
    -f|-fsSL|-fsS|-fL|-sS) case "$1" in *f*) fail=1 ;; esac ;;
    -*) ;;
    *) url=$1 ;;
  esac
  shift
done
if state network-down; then echo "curl: (6) Could not resolve host: \${url#*://}" >&2; exit 6; fi
file="$SANDBOX/web/\${url#*://}"
case "$file" in */) file="\${file}index" ;; esac
if [ ! -f "$file" ]; then
  if [ "$fail" -eq 1 ]; then echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; fi
  file=/dev/null
fi
if [ -n "$out" ]; then cat "$file" > "$out"; else cat "$file"; fi`,
  getent: `
if state network-down; then exit 2; fi
echo "127.0.0.1 $2"`,
  // gpg --show-keys --with-colons: the fingerprint of the key served, as gpg prints it.
  gpg: `
if state gpg-fingerprint; then echo "fpr:::::::::$(cat "$S/gpg-fingerprint"):"; else echo "fpr:::::::::9DC858229FC7DD38854AE2D88D81803C0EBFCD88:"; fi`,
  systemctl: `exit 0`,
  "systemd-run": `exit 0`,
  usermod: `exit 0`,
  // Passwordless by default; sudo-refuses: no passwordless sudo. sudo-password-cached: sudo needs a
  // password, but one was given moments ago: its timestamp lets -n through, unless -k says to ignore
  // cached credentials (sudo(8), -k with a command). sudo-secure-path: the PATH sudo gives the command
  // (Debian's sudoers sets secure_path, so a tool only in ~/go/bin is not found).
  sudo: `
ignore_cached=0
while [ $# -gt 0 ]; do
  case "$1" in -n) ;; -k) ignore_cached=1 ;; -nk | -kn) ignore_cached=1 ;; *) break ;; esac
  shift
done
if state sudo-refuses; then echo "sudo: a password is required" >&2; exit 1; fi
if state sudo-password-cached && [ "$ignore_cached" = 1 ]; then echo "sudo: a password is required" >&2; exit 1; fi
if state sudo-secure-path; then PATH=$(cat "$S/sudo-secure-path"); export PATH; fi
exec "$@"`,
  "cloud-init": `
if state cloud-init-exit; then exit "$(cat "$S/cloud-init-exit")"; fi
exit 0`,
  docker: `
case "$1" in
  info) if state docker-down; then echo "Cannot connect to the Docker daemon" >&2; exit 1; fi ;;
  ps) if state docker-ps; then emit "$S/docker-ps"; fi ;;
  pull) if state "pull-fails"; then echo "Error response from daemon: toomanyrequests" >&2; exit 1; fi ;;
  container) if [ "$2" = inspect ] && ! state "container-$3"; then echo "Error: No such container: $3" >&2; exit 1; fi ;;
  inspect) if state "container-networks"; then cat "$S/container-networks"; else echo '{"bridge":{}}'; fi ;;
  exec)
    # docker exec NODE sh -c SCRIPT sh PATH ARG...: runs the real SCRIPT, with PATH inside the node's folder.
    node=$2; shift 2
    if state exec-fails; then echo "Error response from daemon: container $node is not running" >&2; exit 1; fi
    if [ "$1 $2" = "sh -c" ]; then mkdir -p "$SANDBOX/nodes/$node"; exec sh -c "$3" "$4" "$SANDBOX/nodes/$node$5" "\${@:6}"; fi ;;
  run)
    for a in "$@"; do case "$a" in --print-images=*) emit "$S/operator-images"; exit 0 ;; esac; done
    if state mirror-fails; then echo "docker: Error response from daemon: pull access denied" >&2; exit 125; fi
    touch "$S/container-\${*: -1}" ;;
esac
exit 0`,
  containerlab: `
if state containerlab-hangs; then exec "$REAL_SLEEP" 30; fi
if [ "\${1:-}" = version ]; then
  printf '%s\n' "  ____ ___  _   _" "" "    version: $(cat "$S/containerlab-version" 2>/dev/null || echo 0.79.0)" "     commit: 49ee599b"
fi
exit 0`,
  // Polls pause without real time passing; the scripts' bounds count the pauses too.
  sleep: `exit 0`,
  kubectl: `exit 0`,
  calicoctl: `exit 0`,
  kind: `
case "$1 $2" in
  "get clusters") if state clusters; then emit "$S/clusters"; else echo "No kind clusters found." >&2; fi ;;
  "get kubeconfig") emit "$S/kubeconfig" ;;
  "get nodes") if state nodes; then emit "$S/nodes"; fi ;;
esac
exit 0`,
};

const REAL_SLEEP = spawnSync("bash", ["-c", "command -v sleep"], { encoding: "utf8" }).stdout.trim();

export function makeSandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-sandbox-"));
  const root = path.join(dir, "root");
  const home = path.join(dir, "home");
  const bin = path.join(dir, "bin");
  for (const d of [root, home, bin, path.join(dir, "state"), path.join(dir, "web"), path.join(root, "proc")]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(path.join(dir, "calls.log"), "");
  fs.writeFileSync(path.join(root, "proc", "uptime"), "73.52 140.11\n");
  for (const [name, body] of Object.entries(FAKES)) {
    fs.writeFileSync(path.join(bin, name), PRELUDE + body.trimStart() + "\n", { mode: 0o755 });
  }
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: home,
    LANG: "C.UTF-8",
    SANDBOX: dir,
    REAL_SLEEP: REAL_SLEEP,
    CALICO_IPAM_TEST_ROOT: root,
    TMPDIR: path.join(dir, "tmp"),
    ...extra,
  });
  fs.mkdirSync(path.join(dir, "tmp"));
  const scriptFile = (script: string): string => {
    const file = path.join(dir, `script-${process.hrtime.bigint()}.sh`);
    fs.writeFileSync(file, script, { mode: 0o755 });
    return file;
  };
  return {
    dir,
    root,
    home,
    env,
    setState(name, content = "") {
      fs.writeFileSync(path.join(dir, "state", name), content);
    },
    clearState(name) {
      fs.rmSync(path.join(dir, "state", name), { force: true });
    },
    pretendNotRoot() {
      fs.writeFileSync(path.join(bin, "id"), `${PRELUDE}[ "$*" = -u ] && { echo 1000; exit 0; }\nexec /usr/bin/id "$@"\n`, { mode: 0o755 });
    },
    removeFake(name) {
      fs.rmSync(path.join(bin, name));
    },
    serve(url, content) {
      const file = path.join(dir, "web", url.replace(/^[a-z]+:\/\//, "").replace(/\/$/, "/index"));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
    calls() {
      return fs.readFileSync(path.join(dir, "calls.log"), "utf8").split("\n").filter((l) => l !== "");
    },
    read(rootPath) {
      const file = path.join(root, rootPath);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    },
    run(script, extra) {
      const r = spawnSync("bash", [scriptFile(script)], { env: env(extra), encoding: "utf8", timeout: 60_000 });
      return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    },
    runAsync(script, extra) {
      const file = scriptFile(script);
      return new Promise((resolve, reject) => {
        const child = spawn("bash", [file], { env: env(extra) });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
      });
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `apt-cache madison docker-ce` as Docker's noble repository answers it: newest first, one line each. */
export function madisonListing(pkg: string, versions: string[]): string {
  return versions.map((v) => ` ${pkg} | ${v} | https://download.docker.com/linux/ubuntu noble/stable amd64 Packages\n`).join("");
}

/**
 * The definition of one shell function, cut from a rendered script as it is (from `name() {` to the
 * first line that is exactly `}`), so a test can run the real text hundreds of times without the rest.
 */
export function functionFrom(script: string, name: string): string {
  const lines = script.split("\n");
  const start = lines.indexOf(`${name}() {`);
  const end = lines.indexOf("}", start);
  if (start < 0 || end < 0) throw new Error(`no function ${name}() in the script`);
  return lines.slice(start, end + 1).join("\n");
}

/** The shared helpers every step starts with (manifests/scripts/common.sh), as rendered. */
export function preludeOf(script: string): string {
  const at = script.indexOf("\nSTEP=");
  if (at < 0) throw new Error("not a rendered step script");
  return script.slice(0, script.indexOf("\n", at + 1) + 1);
}
