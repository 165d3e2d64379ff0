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
