// One GET to the Kubernetes API, bounded in time and bytes: network failures, a silent server and an
// answer without end become KubeReadErrors whose message names the server and never a credential.
import * as http from "node:http";
import * as https from "node:https";
import { errorMessage, KubeReadError, oneLine } from "./kube-error";

export interface ResourceRef {
  /** "" for the core API group. */
  group: string;
  version: string;
  plural: string;
  /** The kind of one object, e.g. "IPPool": the API answers a list of them with kind "IPPoolList". */
  kind: string;
}

export interface Transport {
  agent?: http.Agent;
  headers: Record<string, string>;
  auth?: string;
}

/** The connection a request goes through, and whose server and user its errors name (KubeClients, in kube.ts, is one). */
export interface Endpoint {
  server: string;
  user: string;
  timeoutMs: number;
  /** Removes every credential of the kubeconfig from a text. */
  redact: (text: string) => string;
  /** Transport settings (TLS, credentials), computed once per connection. */
  transport: () => Promise<Transport>;
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE",
]);
const TLS_TRUST_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS/;

export function describe(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

export function apiPath(ref: ResourceRef, namespace?: string, name?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${ref.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  location?: string;
}

/** One GET, bounded in time and bytes; network failures become KubeReadErrors. */
export async function get(clients: Endpoint, path: string, query: Record<string, string>, what: string, maxBytes: number): Promise<Answer> {
  const transport = await clients.transport();
  const url = new URL(clients.server.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const module = url.protocol === "https:" ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = module.request(url, {
      method: "GET",
      agent: transport.agent,
      auth: transport.auth,
      headers: { ...transport.headers, Accept: "application/json" },
    });
    const timer = setTimeout(() => {
      finish(() => reject(new KubeReadError("unreachable", `cannot reach the Kubernetes API at ${clients.server}: no answer within ${clients.timeoutMs / 1000}s`)));
      req.destroy();
    }, clients.timeoutMs);
    req.on("error", (err) => finish(() => reject(networkError(err, clients))));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          finish(() =>
            reject(
              new KubeReadError(
                "other",
                `the Kubernetes API at ${clients.server} sent more than ${mib(maxBytes)} for ${what}; gave up reading ` +
                  `(a proxy or server streaming without end?)`,
              ),
            ),
          );
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (err) => finish(() => reject(networkError(err, clients))));
      res.on("aborted", () => finish(() => reject(new KubeReadError("unreachable", `the Kubernetes API at ${clients.server} closed the connection in the middle of ${what}`))));
      res.on("end", () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks),
            location: res.headers.location,
          }),
        ),
      );
    });
    req.end();
  });
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}

function networkError(err: unknown, clients: Endpoint): KubeReadError {
  if (err instanceof KubeReadError) return new KubeReadError(err.kind, clients.redact(err.message));
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
    const why = code === "ENOTFOUND" || code === "EAI_AGAIN" ? `${code}: the host name does not resolve` : code;
    return new KubeReadError("unreachable", `cannot reach the Kubernetes API at ${clients.server} (${why})`);
  }
  if (typeof code === "string" && TLS_TRUST_CODES.test(code)) {
    return new KubeReadError(
      "other",
      `the server at ${clients.server} did not pass the TLS check (${code}): its certificate is not one the kubeconfig's ` +
        `certificate-authority-data vouches for; is this the right cluster, or was it rebuilt? Get a fresh kubeconfig`,
    );
  }
  return new KubeReadError("other", `cannot talk to the Kubernetes API at ${clients.server}: ${oneLine(clients.redact(errorMessage(err)))}`);
}
