// The one error every Kubernetes read fails with: its message is one line a user can act on.
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

export function fail(kind: KubeReadErrorKind, message: string): never {
  throw new KubeReadError(kind, message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whitespace folded and long text cut, so one problem stays one line. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
