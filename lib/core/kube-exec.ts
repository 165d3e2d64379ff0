// Exec credential plugins (kubelogin, aws eks get-token, gke-gcloud-auth-plugin), run with a bound.
// client-node 1.4.0 runs them itself (dist/exec_auth.js, ExecAuth.getCredential: child_process.spawn
// with no timeout, stdin open, and `reject(new Error(stderrData))` on a non-zero exit), so a plugin
// waiting for a browser hangs the read forever and a silent failure has no words. The current user's
// `exec` is therefore taken away from client-node's ExecAuth and run here: stdin closed, non-interactive,
// killed after a timeout, its exit code and first stderr line named.
import { spawn } from "node:child_process";
import * as path from "node:path";
import type * as k8s from "@kubernetes/client-node";
import { KubeReadError } from "./kube-error";

interface ExecConfig {
  command?: unknown;
  args?: unknown;
  env?: unknown;
  apiVersion?: unknown;
}

interface Credential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

const MAX_PLUGIN_OUTPUT = 1024 * 1024;

function pluginName(command: string): string {
  const name = path.basename(command);
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}

/**
 * Runs the plugin once; resolves with its credential or rejects with a one-line KubeReadError.
 * `redact` is applied to the plugin's stderr before any of it is quoted.
 */
export function runExecPlugin(exec: ExecConfig, timeoutMs: number, redact: (s: string) => string): Promise<Credential> {
  const command = typeof exec.command === "string" ? exec.command : "";
  const who = `the kubeconfig's exec credential plugin ${pluginName(command)}`;
  if (command === "") return Promise.reject(new KubeReadError("other", "the kubeconfig's exec credential plugin has no command"));
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (Array.isArray(exec.env)) {
    for (const e of exec.env as { name?: unknown; value?: unknown }[]) if (typeof e?.name === "string") env[e.name] = String(e.value ?? "");
  }
  // What kubectl tells a plugin: not interactive, so one that would prompt fails at once instead of waiting.
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: typeof exec.apiVersion === "string" ? exec.apiVersion : "client.authentication.k8s.io/v1beta1",
    kind: "ExecCredential",
    spec: { interactive: false },
  });

  return new Promise<Credential>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (error: KubeReadError | undefined, credential?: Credential): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(credential as Credential);
    };
    const stop = (): void => {
      child.stdout.destroy();
      child.stderr.destroy();
      child.kill("SIGKILL");
      child.unref();
    };
    const timer = setTimeout(() => {
      finish(
        new KubeReadError(
          "unreachable",
          `${who} gave no credentials within ${timeoutMs / 1000}s and was stopped (is it waiting for a browser or a password? ` +
            `log in with it once by hand, e.g. kubectl get nodes, then try again)`,
        ),
      );
      stop();
    }, timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (data: string) => {
      stdout += data;
      if (stdout.length > MAX_PLUGIN_OUTPUT) {
        finish(new KubeReadError("other", `${who} printed more than 1 MiB; that is not an ExecCredential`));
        stop();
      }
    });
    child.stderr.on("data", (data: string) => {
      if (stderr.length < MAX_PLUGIN_OUTPUT) stderr += data;
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      const why = err.code === "ENOENT" ? "is not installed (not found on PATH)" : `could not be started (${err.code ?? err.message})`;
      finish(new KubeReadError("other", `${who} ${why}`));
    });
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const said = stderr.split("\n").map((l) => l.trim()).find((l) => l !== "");
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        const what = said ? `: ${redact(said).slice(0, 200)}` : " and said nothing on stderr";
        return finish(new KubeReadError("other", `${who} ${how}${what}`));
      }
      let parsed: { status?: Credential } | undefined;
      try {
        parsed = JSON.parse(stdout) as { status?: Credential };
      } catch {
        // The output is never quoted: it is a credential when it is anything.
        return finish(new KubeReadError("other", `${who} printed no ExecCredential (its output is not JSON)`));
      }
      const status = parsed?.status;
      if (typeof status !== "object" || status === null || !(status.token || (status.clientCertificateData && status.clientKeyData))) {
        return finish(new KubeReadError("other", `${who} printed an ExecCredential without status.token or a client certificate and key`));
      }
      finish(undefined, status);
    });
  });
}

/** client-node's Authenticator for one user's exec plugin, bounded; the credential is kept while it is valid. */
class BoundedExecAuth {
  private cached?: Promise<Credential>;

  constructor(
    private readonly userName: string,
    private readonly exec: ExecConfig,
    private readonly timeoutMs: number,
    private readonly addSecret: (s: unknown) => void,
    private readonly redact: (s: string) => string,
  ) {}

  isAuthProvider(user: k8s.User): boolean {
    return user?.name === this.userName;
  }

  async applyAuthentication(_user: k8s.User, opts: { headers?: Record<string, unknown>; cert?: unknown; key?: unknown }): Promise<void> {
    const expired = async (c: Promise<Credential>): Promise<boolean> => {
      const at = Date.parse((await c).expirationTimestamp ?? "");
      return Number.isFinite(at) && at <= Date.now();
    };
    if (!this.cached || (await expired(this.cached.catch(() => ({}))))) {
      this.cached = runExecPlugin(this.exec, this.timeoutMs, this.redact);
    }
    const credential = await this.cached;
    this.addSecret(credential);
    if (credential.clientCertificateData) opts.cert = credential.clientCertificateData;
    if (credential.clientKeyData) opts.key = credential.clientKeyData;
    if (credential.token) opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${credential.token}` };
  }
}

/** Moves the current user's exec plugin from client-node's unbounded runner to BoundedExecAuth. */
export function boundedExecCredentials(kc: k8s.KubeConfig, timeoutMs: number, addSecret: (s: unknown) => void, redact: (s: string) => string): void {
  const user = kc.getCurrentUser();
  if (!user?.exec) return;
  kc.loadFromOptions({
    clusters: kc.getClusters(),
    contexts: kc.getContexts(),
    users: kc.getUsers().map((u) => (u === user ? { ...u, exec: undefined } : u)),
    currentContext: kc.getCurrentContext(),
  });
  kc.addAuthenticator(new BoundedExecAuth(user.name, user.exec as ExecConfig, timeoutMs, addSecret, redact));
}

/** Auth providers client-node would run without a bound (gcp and azure spawn a command synchronously). */
export function refuseBlockingAuthProvider(kc: k8s.KubeConfig, redact: (s: string) => string): void {
  const user = kc.getCurrentUser();
  const provider = (user?.authProvider as { name?: unknown } | undefined)?.name;
  if (provider === "gcp" || provider === "azure" || provider === "exec") {
    const fix = provider === "gcp" ? "gke-gcloud-auth-plugin" : provider === "azure" ? "kubelogin" : "a user `exec` entry";
    throw new KubeReadError(
      "other",
      `the kubeconfig's user ${JSON.stringify(redact(user?.name ?? ""))} uses the auth-provider "${provider}", which Kubernetes ` +
        `removed in 1.26 and which can block without bound; switch to ${fix}`,
    );
  }
}
