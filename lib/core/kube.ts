// The lab's Kubernetes API client: read a kubeconfig, then GET and list with paging, each request
// bounded in time and size. Every failure is a KubeReadError whose message is one line a user can act
// on (both `pulumi up` warnings and the CLIs print it as is) and never holds a credential. Used by
// every stage that reads a cluster. @kubernetes/client-node applies the kubeconfig's TLS settings and
// credentials; the requests themselves are made here, so no answer can be larger or slower than
// KUBE_READ_LIMITS allow, and no answer that is not the Kubernetes API passes for an empty cluster.
import * as http from "node:http";
import * as https from "node:https";
import * as k8s from "@kubernetes/client-node";
import { loadKubeconfig, type LoadedKubeconfig } from "./kube-config";
import { KubeReadError, type KubeReadErrorKind } from "./kube-error";
import { boundedExecCredentials, refuseBlockingAuthProvider } from "./kube-exec";

/** Every bound of a read, in one place (README "Limits of a read"). */
export const KUBE_READ_LIMITS = {
  /** Per request, headers and body; a silent server counts as unreachable. */
  requestTimeoutMs: 30_000,
  /** An exec credential plugin (kubelogin, aws eks get-token, ...) must print credentials within this. */
  execPluginTimeoutMs: 30_000,
  /** Items per list request (the `limit` parameter). */
  pageSize: 500,
  /** Pages per list: 500,000 objects at the default page size. */
  maxPages: 1_000,
  /** One response body. */
  maxResponseBytes: 64 * 1024 * 1024,
  /** All pages of one list together. */
  maxListBytes: 512 * 1024 * 1024,
} as const;

export { KubeReadError, type KubeReadErrorKind };

/** The metadata fields the lab reads. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
}

export interface ReadOptions {
  pageSize?: number;
  timeoutMs?: number;
  execTimeoutMs?: number;
  maxPages?: number;
  maxResponseBytes?: number;
  maxListBytes?: number;
  /** A context of the kubeconfig other than its current-context. */
  context?: string;
}

export interface ResourceRef {
  /** "" for the core API group. */
  group: string;
  version: string;
  plural: string;
}

export interface KubeClients {
  server: string;
  context: string;
  user: string;
  timeoutMs: number;
  limits: Required<Omit<ReadOptions, "context">>;
  /** Removes every credential of the kubeconfig from a text. */
  redact: (text: string) => string;
  /** Transport settings (TLS, credentials), computed once per connection. */
  transport: () => Promise<Transport>;
}

interface Transport {
  agent?: http.Agent;
  headers: Record<string, string>;
  auth?: string;
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE",
]);
const TLS_TRUST_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS/;

export function connect(kubeconfigYaml: string, opts: ReadOptions = {}): KubeClients {
  const loaded: LoadedKubeconfig = loadKubeconfig(kubeconfigYaml, opts.context);
  const { kc, redact } = loaded;
  refuseBlockingAuthProvider(kc, redact);
  const limits = {
    pageSize: opts.pageSize ?? KUBE_READ_LIMITS.pageSize,
    timeoutMs: opts.timeoutMs ?? KUBE_READ_LIMITS.requestTimeoutMs,
    execTimeoutMs: opts.execTimeoutMs ?? KUBE_READ_LIMITS.execPluginTimeoutMs,
    maxPages: opts.maxPages ?? KUBE_READ_LIMITS.maxPages,
    maxResponseBytes: opts.maxResponseBytes ?? KUBE_READ_LIMITS.maxResponseBytes,
    maxListBytes: opts.maxListBytes ?? KUBE_READ_LIMITS.maxListBytes,
  };
  boundedExecCredentials(kc, limits.execTimeoutMs, loaded.addSecret, redact);
  let transport: Promise<Transport> | undefined;
  const clients: KubeClients = {
    server: loaded.server,
    context: loaded.context,
    user: loaded.user,
    timeoutMs: limits.timeoutMs,
    limits,
    redact,
    transport: () => (transport ??= transportOf(kc, clients)),
  };
  return clients;
}

async function transportOf(kc: k8s.KubeConfig, clients: KubeClients): Promise<Transport> {
  const opts: https.RequestOptions & { headers?: Record<string, string> } = {};
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (err) {
    if (err instanceof KubeReadError) throw new KubeReadError(err.kind, clients.redact(err.message));
    const why = oneLine(clients.redact(errorMessage(err)));
    throw new KubeReadError("other", `cannot use the kubeconfig's credentials or TLS settings for ${clients.server}: ${why}`);
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.headers ?? {})) headers[key] = String(value);
  return { agent: opts.agent as http.Agent | undefined, headers, auth: typeof opts.auth === "string" ? opts.auth : undefined };
}

export function describe(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

function apiPath(ref: ResourceRef, namespace?: string, name?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${ref.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  location?: string;
}

/** One GET, bounded in time and bytes; network failures become KubeReadErrors. */
async function get(clients: KubeClients, path: string, query: Record<string, string>, what: string, maxBytes: number): Promise<Answer> {
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

function networkError(err: unknown, clients: KubeClients): KubeReadError {
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

/** A JSON body of a 2xx answer, or the KubeReadError that explains why there is none. */
function jsonBody(answer: Answer, clients: KubeClients, ref: ResourceRef, verb: string, path: string): unknown {
  const resource = describe(ref);
  if (/^text\/html|application\/xhtml/i.test(answer.contentType)) {
    return fail(
      "other",
      `${clients.server} answered ${verb} ${resource} with a web page (HTTP ${answer.status}, ${answer.contentType.split(";")[0]}), ` +
        `not the Kubernetes API: is the kubeconfig's server address right, or is a login page or proxy in the way?`,
    );
  }
  if (answer.status >= 300 && answer.status < 400) {
    const to = answer.location ? ` to ${oneLine(clients.redact(answer.location), 120)}` : "";
    return fail("other", `${clients.server} answered ${verb} ${resource} with a redirect (HTTP ${answer.status})${to}: a Kubernetes API never redirects; is the server address right?`);
  }
  if (answer.status < 200 || answer.status >= 300) throw statusError(answer, clients, ref, verb);
  try {
    return JSON.parse(answer.body.toString("utf8"));
  } catch {
    const type = answer.contentType ? answer.contentType.split(";")[0] : "no content type";
    return fail("other", `${clients.server} answered GET ${path} with something that is not JSON (${type}, ${answer.body.length} bytes): is the server address right?`);
  }
}

function fail(kind: KubeReadErrorKind, message: string): never {
  throw new KubeReadError(kind, message);
}

/** The `message` of a Kubernetes Status body, if the body is one. */
function statusMessage(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { message?: unknown };
    return typeof parsed?.message === "string" ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

function statusError(answer: Answer, clients: KubeClients, ref: ResourceRef, verb: string): KubeReadError {
  const resource = describe(ref);
  const code = answer.status;
  const message = statusMessage(answer.body);
  if (code === 404) {
    const calico = ref.group === "crd.projectcalico.org";
    const operator = ref.group === "operator.tigera.io";
    if (calico || operator) {
      const hint = calico ? "Calico CRDs not found" : "Tigera operator CRDs not found";
      const question = calico ? "is Calico installed?" : "is the Tigera operator installed?";
      return new KubeReadError("not-found", `${hint}: ${clients.server} has no ${resource} (${question})`);
    }
    return new KubeReadError("not-found", `${clients.server} has no ${resource} (HTTP 404)`);
  }
  if (code === 403) {
    const user = message?.match(/User "([^"]*)"/)?.[1] ?? clients.user;
    const scope = ref.group ? `API group "${ref.group}"` : "the core API group";
    return new KubeReadError(
      "forbidden",
      `forbidden: user "${clients.redact(user)}" may not ${verb} ${resource} on ${clients.server} (HTTP 403); it needs RBAC permission to ${verb} "${ref.plural}" in ${scope}`,
    );
  }
  if (code === 401) {
    return new KubeReadError("other", `unauthorized: ${clients.server} rejected the credentials of user "${clients.user}" (HTTP 401)`);
  }
  const detail = message ? `: ${oneLine(clients.redact(message))}` : "";
  return new KubeReadError("other", `the Kubernetes API at ${clients.server} failed to ${verb} ${resource}: HTTP ${code}${detail}`);
}

interface ListBody {
  items: unknown[];
  continueToken?: string;
}

function asList(body: unknown, clients: KubeClients, ref: ResourceRef): ListBody {
  const list = body as { kind?: unknown; items?: unknown; metadata?: { continue?: unknown } } | null;
  const isObject = typeof list === "object" && list !== null && !Array.isArray(list);
  const kindOk = !isObject || list.kind === undefined || (typeof list.kind === "string" && list.kind.endsWith("List"));
  if (!isObject || !Array.isArray(list.items) || !kindOk) {
    const shape = !isObject ? (Array.isArray(body) ? "a JSON array" : `JSON ${body === null ? "null" : typeof body}`)
      : !kindOk ? `an object of kind ${JSON.stringify(String(list.kind).slice(0, 40))}`
      : "an object without an items list";
    return fail("other", `${clients.server} answered the list of ${describe(ref)} with ${shape}, not a Kubernetes list: is the server address right?`);
  }
  const token = list.metadata?.continue;
  return { items: list.items, continueToken: typeof token === "string" && token !== "" ? token : undefined };
}

export interface ListOptions extends ReadOptions {
  /** Only this namespace's objects (default: every namespace, or cluster-scoped objects). */
  namespace?: string;
  labelSelector?: string;
  /** Equality terms on fields the server indexes, e.g. `reason=FailedCreatePodSandBox` for events. */
  fieldSelector?: string;
}

/** Every object of a kind, page by page; the items are as the server sent them (the caller checks their shape). */
export async function listObjects(clients: KubeClients, ref: ResourceRef, opts: ListOptions = {}): Promise<unknown[]> {
  const limit = opts.pageSize ?? clients.limits.pageSize;
  const maxPages = opts.maxPages ?? clients.limits.maxPages;
  const path = apiPath(ref, opts.namespace);
  const items: unknown[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const query: Record<string, string> = { limit: String(limit) };
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    if (token !== undefined) query.continue = token;
    const room = Math.min(clients.limits.maxResponseBytes, clients.limits.maxListBytes - bytes);
    const answer = await get(clients, path, query, `the list of ${describe(ref)}`, room);
    bytes += answer.body.length;
    const list = asList(jsonBody(answer, clients, ref, "list", path), clients, ref);
    for (const item of list.items) items.push(item);
    token = list.continueToken;
    if (token === undefined) return items;
    // A server repeating a token, or handing out new ones without end, would keep us paging forever.
    if (seen.has(token)) fail("other", `${clients.server} repeated a list continue token for ${describe(ref)}`);
    seen.add(token);
    if (page >= maxPages) {
      fail(
        "other",
        `${clients.server} kept handing out continue tokens for ${describe(ref)}: gave up after ${maxPages} pages ` +
          `(${items.length} objects); the API server or a proxy in front of it is misbehaving`,
      );
    }
  }
}

/** Every object of a kind as the type the caller expects (the caller trusts the shape). */
export async function listCustom<T>(clients: KubeClients, ref: ResourceRef, opts: ReadOptions = {}): Promise<T[]> {
  return (await listObjects(clients, ref, opts)) as T[];
}

/** One object (cluster-scoped, or in `namespace`), or undefined when the API answers 404. */
export async function getObject<T>(clients: KubeClients, ref: ResourceRef, name: string, namespace?: string): Promise<T | undefined> {
  const path = apiPath(ref, namespace, name);
  const answer = await get(clients, path, {}, `${describe(ref)}/${name}`, clients.limits.maxResponseBytes);
  if (answer.status === 404 && !/^text\/html/i.test(answer.contentType)) return undefined;
  const body = jsonBody(answer, clients, ref, "get", path);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return fail("other", `${clients.server} answered GET ${path} with JSON that is not a Kubernetes object`);
  }
  return body as T;
}

/** A cluster-scoped custom object, or undefined on 404. */
export function getCustom<T>(clients: KubeClients, ref: ResourceRef, name: string): Promise<T | undefined> {
  return getObject<T>(clients, ref, name);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whitespace folded and long text cut, so one problem stays one line. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
