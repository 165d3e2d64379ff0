// The caller's ssh-agent, as pulumi-command's SSH client will meet it.
// pulumi-command v1.2.1 (provider/pkg/provider/remote/connection.go, SSHConfig) dials SSH_AUTH_SOCK
// whenever it is set, even when the connection carries a private key, and fails the step when that
// socket does not answer; so a socket left over from an earlier login breaks every SSH step.
import * as net from "node:net";

/** Does an ssh-agent answer on this socket? Never throws. */
export function agentAnswers(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export interface AgentFacts {
  /** The user set calico-ipam:sshPublicKey, so only their agent holds the private half. */
  userKey: boolean;
  /** SSH_AUTH_SOCK of the shell running pulumi. */
  socket?: string;
  answers: boolean;
}

/** What stops the SSH steps from logging in, in words the user can act on; undefined when nothing does. */
export function sshAgentProblem(facts: AgentFacts): string | undefined {
  if (facts.userKey && !facts.socket) {
    return "calico-ipam:sshPublicKey is set, so the program logs in with the matching private key from your ssh-agent, " +
      "but SSH_AUTH_SOCK is not set. Start ssh-agent and `ssh-add` the key, or unset calico-ipam:sshPublicKey to use a generated key.";
  }
  if (facts.socket && !facts.answers) {
    const fix = facts.userKey
      ? "start ssh-agent and `ssh-add` the key of calico-ipam:sshPublicKey"
      : "run `unset SSH_AUTH_SOCK` (npm run up does this itself when the socket is gone), or start ssh-agent";
    return `SSH_AUTH_SOCK is ${JSON.stringify(facts.socket)}, but no ssh-agent answers there (left from an earlier login?). ` +
      `Pulumi's SSH client dials it on every step, even with the generated key, and would fail them all: ${fix}, then run again.`;
  }
  return undefined;
}
