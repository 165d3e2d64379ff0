// The lab's Kubernetes API client: connect from a kubeconfig, list with paging, get one object.
// Every failure becomes a KubeReadError whose message is one line a user can act on, because both
// `pulumi up` warnings and the CLIs print it as is. Used by every stage that reads a cluster.
import * as k8s from "@kubernetes/client-node";

export type KubeReadErrorKind = "unreachable" | "not-found" | "forbidden" | "other";

export class KubeReadError extends Error {
  constructor(
    readonly kind: KubeReadErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "KubeReadError";
  }
}

/** The metadata fields the lab reads. */
export interface ObjectMeta {
  name?: string;
  creationTimestamp?: string | Date;
  resourceVersion?: string;
}

export interface ReadOptions {
  /** Items per list request (the `limit` parameter). */
  pageSize?: number;
  /** Per request; a silent server counts as unreachable. */
  timeoutMs?: number;
}

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export interface KubeClients {
  server: string;
  user: string;
  timeoutMs: number;
  custom: k8s.CustomObjectsApi;
  core: k8s.CoreV1Api;
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

export function connect(kubeconfigYaml: string, opts: ReadOptions = {}): KubeClients {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(kubeconfigYaml);
  } catch (err) {
    throw new KubeReadError("other", `the kubeconfig is not valid: ${oneLine(errorMessage(err))}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeReadError("other", "the kubeconfig names no current cluster with a server address");
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // makeApiClient offers no per-request timeout; a middleware can attach an abort signal instead.
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return ctx;
        },
        post: async (ctx) => ctx,
      },
    ],
  });
  return {
    server: cluster.server,
    user: kc.getCurrentUser()?.name ?? "(none)",
    timeoutMs,
    custom: new k8s.CustomObjectsApi(config),
    core: new k8s.CoreV1Api(config),
  };
}

export function describe(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

interface ListPage<T> {
  items?: T[];
  metadata?: { continue?: string; _continue?: string };
}

async function listAll<T>(
  what: ResourceRef,
  clients: KubeClients,
  fetchPage: (cont: string | undefined) => Promise<ListPage<T>>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cont: string | undefined;
  do {
    let page: ListPage<T>;
    try {
      page = await fetchPage(cont);
    } catch (err) {
      throw toReadError(err, clients, what, "list");
    }
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || page.metadata?._continue || undefined;
    if (cont !== undefined) {
      // A server repeating a token would otherwise keep us paging forever.
      if (seen.has(cont)) throw new KubeReadError("other", `${clients.server} repeated a list continue token for ${describe(what)}`);
      seen.add(cont);
    }
  } while (cont !== undefined);
  return items;
}

export function listCustom<T>(clients: KubeClients, ref: ResourceRef, opts: ReadOptions = {}): Promise<T[]> {
  const limit = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  return listAll<T>(ref, clients, (cont) =>
    clients.custom.listClusterCustomObject({ ...ref, limit, _continue: cont }) as Promise<ListPage<T>>,
  );
}

/** Names of the cluster's nodes (only the name is kept, so results stay plain JSON). */
export async function listNodes(clients: KubeClients, opts: ReadOptions = {}): Promise<{ metadata: { name?: string } }[]> {
  const limit = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const nodes = await listAll<k8s.V1Node>({ group: "", version: "v1", plural: "nodes" }, clients, (cont) =>
    clients.core.listNode({ limit, _continue: cont }),
  );
  return nodes.map((n) => ({ metadata: { name: n.metadata?.name } }));
}

/** One cluster-scoped custom object, or undefined when the API answers 404. */
export async function getCustom<T>(clients: KubeClients, ref: ResourceRef, name: string): Promise<T | undefined> {
  try {
    return (await clients.custom.getClusterCustomObject({ ...ref, name })) as T;
  } catch (err) {
    if (err instanceof k8s.ApiException && err.code === 404) return undefined;
    throw toReadError(err, clients, ref, "get");
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** The `message` of a Kubernetes Status body, if the body is one. */
function statusMessage(body: unknown): string | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

export function toReadError(err: unknown, clients: KubeClients, ref: ResourceRef, verb: string): KubeReadError {
  if (err instanceof KubeReadError) return err;
  const resource = describe(ref);
  if (err instanceof k8s.ApiException) {
    const code = err.code as number;
    const message = statusMessage(err.body);
    if (code === 404) {
      const hint = ref.group === "crd.projectcalico.org" ? "Calico CRDs not found" : "Tigera operator CRDs not found";
      const question = ref.group === "crd.projectcalico.org" ? "is Calico installed?" : "is the Tigera operator installed?";
      return new KubeReadError("not-found", `${hint}: ${clients.server} has no ${resource} (${question})`);
    }
    if (code === 403) {
      const user = message?.match(/User "([^"]*)"/)?.[1] ?? clients.user;
      return new KubeReadError("forbidden", `forbidden: user "${user}" may not ${verb} ${resource} on ${clients.server} (HTTP 403)`);
    }
    if (code === 401) {
      return new KubeReadError("other", `unauthorized: ${clients.server} rejected the credentials of user "${clients.user}" (HTTP 401)`);
    }
    const detail = message ? `: ${oneLine(message)}` : "";
    return new KubeReadError("other", `the Kubernetes API at ${clients.server} failed to ${verb} ${resource}: HTTP ${code}${detail}`);
  }
  const name = err instanceof Error ? err.name : "";
  const code = (err as { code?: unknown } | null)?.code;
  if (name === "AbortError") {
    return new KubeReadError("unreachable", `cannot reach the Kubernetes API at ${clients.server}: no answer within ${clients.timeoutMs / 1000}s`);
  }
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
    const why = code === "ENOTFOUND" || code === "EAI_AGAIN" ? `${code}: the host name does not resolve` : code;
    return new KubeReadError("unreachable", `cannot reach the Kubernetes API at ${clients.server} (${why})`);
  }
  return new KubeReadError("other", `cannot ${verb} ${resource} at ${clients.server}: ${oneLine(errorMessage(err))}`);
}
