// A real HTTP server on 127.0.0.1 that answers the few Kubernetes API calls the IPAM reader makes,
// from the fixtures, with the list shape and chunking (limit/continue) of a real API server.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pageOf } from "../../cli/paged-list";

export const FIXTURES_DIR = path.join(__dirname, "..", "fixtures", "ipam");
export const FAKE_USER = "lab-viewer";
export const FAKE_TOKEN = "lab-viewer-token";

// Integers beyond 2^53 (sequence numbers) would be rounded by JSON.parse; they travel as tagged strings
// inside the server and go back on the wire as the exact digits of the fixture.
const BIG_TAG = "__bigint:";

export function parseKeepingBigInts(text: string): unknown {
  return JSON.parse(text.replace(/(:\s*)(-?\d{16,})(?=\s*[,}\]])/g, `$1"${BIG_TAG}$2"`));
}

export function stringifyKeepingBigInts(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`"${BIG_TAG}(-?\\d+)"`, "g"), "$1");
}

/** The items of a `kubectl get -o json` List fixture. */
export function loadFixtureItems(file: string): unknown[] {
  const list = parseKeepingBigInts(fs.readFileSync(path.join(FIXTURES_DIR, file), "utf8")) as { items: unknown[] };
  return list.items;
}

export function loadFixture(file: string): unknown {
  return parseKeepingBigInts(fs.readFileSync(path.join(FIXTURES_DIR, file), "utf8"));
}

interface Collection {
  apiVersion: string;
  kind: string;
  items: unknown[];
}

export const PATHS = {
  ippools: "/apis/crd.projectcalico.org/v1/ippools",
  ipamblocks: "/apis/crd.projectcalico.org/v1/ipamblocks",
  blockaffinities: "/apis/crd.projectcalico.org/v1/blockaffinities",
  ipamhandles: "/apis/crd.projectcalico.org/v1/ipamhandles",
  ipamconfig: "/apis/crd.projectcalico.org/v1/ipamconfigs/default",
  pods: "/api/v1/pods",
  services: "/api/v1/services",
  tigerastatuses: "/apis/operator.tigera.io/v1/tigerastatuses",
  installation: "/apis/operator.tigera.io/v1/installations/default",
  nodes: "/api/v1/nodes",
  kubeadmConfig: "/api/v1/namespaces/kube-system/configmaps/kubeadm-config",
  operatorNamespace: "/api/v1/namespaces/tigera-operator",
} as const;

export interface SeenRequest {
  method: string;
  path: string;
  limit?: string;
  continue?: string;
}

export interface FakeApiServer {
  url: string;
  /** Every request, in arrival order. */
  requests: SeenRequest[];
  /** Replaces what a list path serves. */
  setItems(listPath: string, items: unknown[]): void;
  /** Serves a list at a new path (e.g. /api/v1/namespaces/web/pods); labelSelector/fieldSelector filter it. */
  addList(listPath: string, apiVersion: string, kind: string, items: unknown[]): void;
  /** Replaces the Installation served (undefined: 404). */
  setInstallation(installation: unknown): void;
  /** Serves one object at a path (undefined: 404), e.g. PATHS.kubeadmConfig. */
  setObject(objectPath: string, object: unknown): void;
  /** Makes a path answer like an API server without that resource (404) or refusing the user (403). */
  failWith(requestPath: string, status: 403 | 404 | 500): void;
  /** Answers a path with a handler of the test's own (hostile servers: HTML, endless pages, stalls). */
  override(requestPath: string, handler: http.RequestListener): void;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: string, type = "application/json"): void {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message, reason, code });
}

function forbiddenMessage(requestPath: string): string {
  const parts = requestPath.split("/").filter(Boolean);
  const plural = parts[parts.length - 1];
  const group = parts[0] === "apis" ? parts[1] : "";
  const resource = group ? `${plural}.${group}` : plural;
  return `${resource} is forbidden: User "${FAKE_USER}" cannot list resource "${plural}" in API group "${group}" at the cluster scope`;
}

/** Equality selectors only (`a=b,c=d`), the kind the lab's reads send. */
function selects(selector: string | null, valueOf: (key: string) => unknown): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return String(valueOf(key.trim()) ?? "") === value.trim();
  });
}

function labelOf(item: unknown, key: string): unknown {
  return (item as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[key];
}

/** A dotted field path, as field selectors name them (involvedObject.kind, reason). */
function fieldOf(item: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((at, step) => (at as Record<string, unknown> | undefined)?.[step], item);
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const collections = new Map<string, Collection>([
    [PATHS.ippools, { apiVersion: "crd.projectcalico.org/v1", kind: "IPPoolList", items: loadFixtureItems("ippools.json") }],
    [PATHS.ipamblocks, { apiVersion: "crd.projectcalico.org/v1", kind: "IPAMBlockList", items: loadFixtureItems("ipamblocks.json") }],
    [
      PATHS.blockaffinities,
      { apiVersion: "crd.projectcalico.org/v1", kind: "BlockAffinityList", items: loadFixtureItems("blockaffinities.json") },
    ],
    [PATHS.tigerastatuses, { apiVersion: "operator.tigera.io/v1", kind: "TigeraStatusList", items: loadFixtureItems("tigerastatuses.json") }],
    [PATHS.nodes, { apiVersion: "v1", kind: "NodeList", items: loadFixtureItems("nodes.json") }],
    [PATHS.ipamhandles, { apiVersion: "crd.projectcalico.org/v1", kind: "IPAMHandleList", items: loadFixtureItems("ipamhandles.json") }],
    [PATHS.pods, { apiVersion: "v1", kind: "PodList", items: loadFixtureItems("pods.json") }],
    [PATHS.services, { apiVersion: "v1", kind: "ServiceList", items: [] }],
  ]);
  const overrides = new Map<string, http.RequestListener>();
  // Single objects by path; absent means 404 NotFound, as for a named object that does not exist.
  const objects = new Map<string, unknown>([[PATHS.installation, loadFixture("installation.json")]]);
  const failures = new Map<string, number>();
  const requests: SeenRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({
      method: req.method ?? "",
      path: url.pathname,
      limit: url.searchParams.get("limit") ?? undefined,
      continue: url.searchParams.get("continue") ?? undefined,
    });
    const override = overrides.get(url.pathname);
    if (override) return override(req, res);
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) {
      return send(res, 401, statusBody(401, "Unauthorized", "Unauthorized"));
    }
    const failure = failures.get(url.pathname);
    if (failure === 404) return send(res, 404, "404 page not found", "text/plain; charset=utf-8");
    if (failure === 403) return send(res, 403, statusBody(403, "Forbidden", forbiddenMessage(url.pathname)));
    if (failure) return send(res, failure, statusBody(failure, "InternalError", "etcdserver: request timed out"));

    // Like the real server: a namespaced list of a namespace with nothing in it is an empty list.
    const emptyNamespaced = /^\/api\/v1\/namespaces\/[^/]+\/(pods|events)$/.exec(url.pathname);
    const collection = collections.get(url.pathname) ??
      (emptyNamespaced && !objects.has(url.pathname) ? { apiVersion: "v1", kind: emptyNamespaced[1] === "pods" ? "PodList" : "EventList", items: [] } : undefined);
    const namedObject = url.pathname.startsWith("/api/v1/namespaces/") || /^\/apis\/apps\/v1\/namespaces\/[^/]+\/deployments\/[^/]+$/.test(url.pathname);
    if (!collection && (objects.has(url.pathname) || url.pathname === PATHS.installation || url.pathname === PATHS.ipamconfig || namedObject)) {
      const object = objects.get(url.pathname);
      if (object === undefined) {
        return send(res, 404, statusBody(404, "NotFound", `${url.pathname.split("/").slice(-2).join(" ")} not found`));
      }
      return send(res, 200, stringifyKeepingBigInts(object));
    }
    if (!collection) return send(res, 404, "404 page not found", "text/plain; charset=utf-8");

    const matching = collection.items.filter(
      (item) => selects(url.searchParams.get("labelSelector"), (k) => labelOf(item, k)) && selects(url.searchParams.get("fieldSelector"), (k) => fieldOf(item, k)),
    );
    const page = pageOf(matching, url.searchParams);
    if (!page) return send(res, 400, statusBody(400, "BadRequest", "invalid continue token"));
    const body = { apiVersion: collection.apiVersion, kind: collection.kind, ...page };
    return send(res, 200, stringifyKeepingBigInts(body));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setItems(listPath, items) {
      const collection = collections.get(listPath);
      if (!collection) throw new Error(`fake API server: no list at ${listPath}`);
      collection.items = items;
    },
    addList(listPath, apiVersion, kind, items) {
      collections.set(listPath, { apiVersion, kind, items });
    },
    setInstallation(value) {
      objects.set(PATHS.installation, value);
    },
    setObject(objectPath, object) {
      objects.set(objectPath, object);
    },
    failWith(requestPath, status) {
      failures.set(requestPath, status);
    },
    override(requestPath, handler) {
      overrides.set(requestPath, handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A kubeconfig for the fake server: plain http needs insecure-skip-tls-verify in client-node. */
export function fakeKubeconfig(serverUrl: string, token = FAKE_TOKEN): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake",
    "  cluster:",
    `    server: ${serverUrl}`,
    "    insecure-skip-tls-verify: true",
    "users:",
    `- name: ${FAKE_USER}`,
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: fake",
    "  context:",
    "    cluster: fake",
    `    user: ${FAKE_USER}`,
    "current-context: fake",
    "",
  ].join("\n");
}

/** Writes the kubeconfig to a fresh temp file and returns its path. */
export function writeFakeKubeconfig(serverUrl: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-test-"));
  const file = path.join(dir, "fake.kubeconfig");
  fs.writeFileSync(file, fakeKubeconfig(serverUrl), { mode: 0o600 });
  return file;
}

/** A 127.0.0.1 port nothing listens on (bound, then released), for connection-refused tests. */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
