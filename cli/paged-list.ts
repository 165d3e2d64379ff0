// Chunked lists as the Kubernetes API server serves them (limit/continue, remainingItemCount), for
// the benchmark's local server and the tests' fake API server: one implementation of the paging the
// reader must follow.
export interface ListPage {
  items: unknown[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

/** The page a `?limit=&continue=` request asks for, or undefined for a token this server never issued. */
export function pageOf(items: unknown[], params: URLSearchParams): ListPage | undefined {
  const limit = Number(params.get("limit") ?? "0");
  const token = params.get("continue");
  const offset = token ? Number(Buffer.from(token, "base64url").toString("utf8").replace("offset:", "")) : 0;
  if (!Number.isInteger(offset) || offset < 0) return undefined;
  const end = limit > 0 ? Math.min(offset + limit, items.length) : items.length;
  const metadata: ListPage["metadata"] = { resourceVersion: "4321" };
  if (end < items.length) {
    metadata.continue = Buffer.from(`offset:${end}`, "utf8").toString("base64url");
    metadata.remainingItemCount = items.length - end;
  }
  return { items: items.slice(offset, end), metadata };
}
