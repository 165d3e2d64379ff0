// What an answer of the Kubernetes API means: the JSON of a 2xx answer, a list with its continue
// token, or the KubeReadError that says why there is none (a web page, a redirect, a Status, a 404 of
// Calico's CRDs, a 403 with the RBAC rule missing) in one line a user can act on.
import { fail, KubeReadError, oneLine } from "./kube-error";
import { describe, type Answer, type Endpoint, type ResourceRef } from "./kube-request";

/** A JSON body of a 2xx answer, or the KubeReadError that explains why there is none. */
export function jsonBody(answer: Answer, clients: Endpoint, ref: ResourceRef, verb: string, path: string): unknown {
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

/** The `message` of a Kubernetes Status body, if the body is one. */
function statusMessage(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { message?: unknown };
    return typeof parsed?.message === "string" ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

function statusError(answer: Answer, clients: Endpoint, ref: ResourceRef, verb: string): KubeReadError {
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

/** The items and continue token of a list of `ref`'s kind; any other answer is a KubeReadError of one line. */
export function asList(body: unknown, clients: Endpoint, ref: ResourceRef): ListBody {
  const list = body as { kind?: unknown; items?: unknown; metadata?: { continue?: unknown } } | null;
  const isObject = typeof list === "object" && list !== null && !Array.isArray(list);
  const kindOk = !isObject || list.kind === undefined || (typeof list.kind === "string" && list.kind.endsWith("List"));
  if (!isObject || !Array.isArray(list.items) || !kindOk) {
    const shape = !isObject ? (Array.isArray(body) ? "a JSON array" : `JSON ${body === null ? "null" : typeof body}`)
      : !kindOk ? `an object of kind ${JSON.stringify(String(list.kind).slice(0, 40))}`
      : "an object without an items list";
    return fail("other", `${clients.server} answered the list of ${describe(ref)} with ${shape}, not a Kubernetes list: is the server address right?`);
  }
  if (typeof list.kind === "string" && list.kind !== `${ref.kind}List`) {
    return fail("other", `${clients.server} answered the list of ${describe(ref)} with a list of kind ${JSON.stringify(list.kind.slice(0, 40))}, not ${ref.kind}List: is the server address right?`);
  }
  const token = list.metadata?.continue;
  return { items: list.items, continueToken: typeof token === "string" && token !== "" ? token : undefined };
}
