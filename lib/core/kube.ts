// The lab's Kubernetes API client: read a kubeconfig, then GET and list with paging, each request
// bounded in time and size. Every failure is a KubeReadError whose message is one line a user can act
// on (both `pulumi up` warnings and the CLIs print it as is) and never holds a credential. Used by
// every stage that reads a cluster. @kubernetes/client-node applies the kubeconfig's TLS settings and
// credentials; the requests themselves are made here (one bounded GET: kube-request.ts; what its
// answer means: kube-answer.ts), so no answer can be larger or slower than KUBE_READ_LIMITS allow, and
// no answer that is not the Kubernetes API passes for an empty cluster.
import type * as https from "node:https";
import type * as http from "node:http";
import type * as k8s from "@kubernetes/client-node";
import { asList, jsonBody } from "./kube-answer";
import { loadKubeconfig, type LoadedKubeconfig } from "./kube-config";
import { errorMessage, fail, KubeReadError, oneLine, type KubeReadErrorKind } from "./kube-error";
import { boundedExecCredentials, refuseBlockingAuthProvider } from "./kube-exec";
import { apiPath, describe, get, type Endpoint, type ResourceRef, type Transport } from "./kube-request";

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

export { KubeReadError, type KubeReadErrorKind, type ResourceRef };

/** The metadata fields the lab reads. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
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

export interface KubeClients extends Endpoint {
  context: string;
  limits: Required<Omit<ReadOptions, "context">>;
}

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

