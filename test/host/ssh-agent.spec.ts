// The caller's ssh-agent as pulumi-command will dial it: a real Unix socket, and one left behind.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { agentAnswers, sshAgentProblem } from "../../lib/host/ssh-agent";

describe("the caller's ssh-agent", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-agent-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("answers when something listens on the socket", async () => {
    const socket = path.join(dir, "agent.live");
    const server = net.createServer((c) => c.end());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      assert.equal(await agentAnswers(socket), true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("does not answer on a path left from an earlier login, or a socket file whose agent died", async () => {
    assert.equal(await agentAnswers(path.join(dir, "gone", "agent.1")), false);
    const stale = path.join(dir, "agent.stale");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(stale, resolve));
    // Closing a listener normally unlinks it; recreate the file as a dead socket left behind.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.writeFileSync(stale, "");
    assert.equal(await agentAnswers(stale), false);
  });

  it("stops the run with the fix when the socket is dead, with the generated key too", () => {
    const generated = sshAgentProblem({ userKey: false, socket: "/tmp/ssh-x/agent.1", answers: false });
    assert.match(generated!, /^SSH_AUTH_SOCK is "\/tmp\/ssh-x\/agent\.1", but no ssh-agent answers there.*unset SSH_AUTH_SOCK/);
    assert.match(sshAgentProblem({ userKey: true, socket: "/tmp/ssh-x/agent.1", answers: false })!, /ssh-add/);
    assert.match(sshAgentProblem({ userKey: true, answers: false })!, /^calico-ipam:sshPublicKey is set.*SSH_AUTH_SOCK is not set/);
  });

  it("lets a live agent, or none at all with the generated key, through", () => {
    assert.equal(sshAgentProblem({ userKey: false, answers: false }), undefined);
    assert.equal(sshAgentProblem({ userKey: true, socket: "/s", answers: true }), undefined);
    assert.equal(sshAgentProblem({ userKey: false, socket: "/s", answers: true }), undefined);
  });
});
