// The sshCommand output, pasted into a shell as a user would: run for real with bash in a sandbox,
// with fake `npm` and `ssh` commands that record what they see (modes checked at creation time).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sshCommand } from "../../lab";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqNiD5GL/iCmAo2dxdo4NAWkXdlbB5xiQXezoUCPTnW";

describe("the sshCommand output, run in a shell", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-ssh-command-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // npm prints the key; the shell created its stdout file before npm ran, so its mode is the creation mode.
    fs.writeFileSync(path.join(bin, "npm"), "#!/usr/bin/env bash\nstat -L -c %a /proc/self/fd/1 > npm-saw-mode\necho 'PRIVATE KEY'\n", { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "ssh"), '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > ssh-args\n', { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (command: string) =>
    spawnSync("bash", ["-c", `umask 022; ${command}`], { cwd: dir, encoding: "utf8", env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin` } });

  it("writes the private key readable by the user alone from the first byte, even over an old world-readable file", () => {
    fs.writeFileSync(path.join(dir, "calico-ipam.key"), "old", { mode: 0o644 });
    const result = run(sshCommand("127.0.0.10", HOST_KEY, true));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.readFileSync(path.join(dir, "npm-saw-mode"), "utf8").trim(), "600");
    assert.equal((fs.statSync(path.join(dir, "calico-ipam.key")).mode & 0o777).toString(8), "600");
    assert.equal(fs.readFileSync(path.join(dir, "calico-ipam.key"), "utf8"), "PRIVATE KEY\n");
  });

  it("makes ssh accept only the host key the program pinned", () => {
    run(sshCommand("127.0.0.10", HOST_KEY, true));
    assert.equal(fs.readFileSync(path.join(dir, "calico-ipam.known_hosts"), "utf8"), `127.0.0.10 ${HOST_KEY}\n`);
    assert.deepEqual(fs.readFileSync(path.join(dir, "ssh-args"), "utf8").trim().split("\n"), [
      "-i", "calico-ipam.key", "-o", "UserKnownHostsFile=calico-ipam.known_hosts", "ubuntu@127.0.0.10",
    ]);
  });

  it("logs in with the user's agent when they brought their own key", () => {
    run(sshCommand("127.0.0.10", HOST_KEY, false));
    assert.equal(fs.existsSync(path.join(dir, "calico-ipam.key")), false);
    assert.deepEqual(fs.readFileSync(path.join(dir, "ssh-args"), "utf8").trim().split("\n"), ["-o", "UserKnownHostsFile=calico-ipam.known_hosts", "ubuntu@127.0.0.10"]);
  });

  it("is git-ignored with the other files the README's commands write", () => {
    const ignored = spawnSync("git", ["check-ignore", "calico-ipam.key", "calico-ipam.kubeconfig", "calico-ipam.known_hosts"], {
      cwd: path.join(__dirname, "..", ".."), encoding: "utf8",
    });
    assert.deepEqual(ignored.stdout.trim().split("\n"), ["calico-ipam.key", "calico-ipam.kubeconfig", "calico-ipam.known_hosts"]);
  });
});
