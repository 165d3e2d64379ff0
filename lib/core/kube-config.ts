// The one reader of kubeconfigs (the user's, for `pulumi up` and `npm run ipam`, and the one kind prints on
// the host): its shape checked here so every mistake is one line that names what is wrong (an empty
// file, a context that is not there), the same wherever the file is read, and no message ever repeats a
// credential. YAML errors give the reason and the line only: the parser's own message quotes the
// surrounding lines, and those hold the token.
import * as k8s from "@kubernetes/client-node";
import { parseDocument, stringify } from "yaml";
import { KubeReadError } from "./kube-error";

export interface LoadedKubeconfig {
  kc: k8s.KubeConfig;
  /** The current cluster's server address, without any user:password part. */
  server: string;
  context: string;
  user: string;
  redact: (text: string) => string;
  /** Adds a credential learned later (an exec plugin's token) to what `redact` removes. */
  addSecret: (secret: unknown) => void;
}

export type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);
const REDACTED = "[redacted]";
/** Shorter strings are too likely to be ordinary words to hide everywhere. */
const MIN_SECRET_LENGTH = 6;

function invalid(message: string): never {
  throw new KubeReadError("other", message);
}

/** "a", "b", "c" (and 7 more) */
function nameList(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => JSON.stringify(n.length > 60 ? `${n.slice(0, 57)}...` : n));
  return names.length === 0 ? "none" : shown.join(", ") + (names.length > 8 ? ` (and ${names.length - 8} more)` : "");
}

function entries(doc: Dict, key: string): Dict[] {
  const list = doc[key];
  return Array.isArray(list) ? list.filter(isDict) : [];
}

function named(list: Dict[], name: string): Dict | undefined {
  return list.find((e) => e.name === name);
}

/** Every string under a user's credentials: token, password, key data, auth-provider config, exec args and env values. */
function collectSecrets(value: unknown, into: Set<string>): void {
  if (typeof value === "string" && value.length >= MIN_SECRET_LENGTH) into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => collectSecrets(v, into));
  else if (isDict(value)) Object.values(value).forEach((v) => collectSecrets(v, into));
}

/** A user's credentials, without what only names a program (the exec command, the provider's name). */
function userSecrets(user: unknown, into: Set<string>): void {
  if (!isDict(user)) return;
  for (const [key, value] of Object.entries(user)) {
    if (key === "exec" && isDict(value)) {
      collectSecrets(value.args, into);
      collectSecrets(value.env, into);
    } else if (key === "auth-provider" && isDict(value)) {
      collectSecrets(value.config, into);
    } else if (key !== "username" && key !== "as") {
      collectSecrets(value, into);
    }
  }
}

function parseYaml(text: string): unknown {
  // prettyErrors gives the line and column; the message it builds (with the lines around) is never used.
  const doc = parseDocument(text);
  const [first] = doc.errors;
  if (first) {
    const at = first.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    const reason = first.code.toLowerCase().replace(/_/g, " ");
    invalid(`the kubeconfig is not valid YAML: ${reason}${where} (the text is not repeated here, as it may hold credentials)`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return invalid("the kubeconfig could not be read: it uses YAML aliases in a way no kubeconfig does (too many, or unresolved)");
  }
}

/** A kubeconfig's text as a mapping; refuses an empty file, broken YAML or anything but a mapping. */
export function parseKubeconfig(text: string): Dict {
  if (typeof text !== "string" || text.trim() === "") invalid("the kubeconfig is empty");
  const doc = parseYaml(text);
  if (!isDict(doc)) {
    const what = Array.isArray(doc) ? "a list" : doc === null ? "empty" : `a ${typeof doc}`;
    invalid(`the kubeconfig is ${what}, not a YAML mapping with clusters, contexts and users`);
  }
  return doc;
}

/** Hides every credential of the kubeconfig's users in a message; more can be added later. */
function redactorFor(doc: Dict): Pick<LoadedKubeconfig, "redact" | "addSecret"> {
  const secrets = new Set<string>();
  for (const user of entries(doc, "users")) userSecrets(user.user, secrets);
  return {
    redact: (message) => {
      let out = message;
      for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
      return out;
    },
    addSecret: (secret) => collectSecrets(secret, secrets),
  };
}

/** The entries one context uses: the context, its cluster (with a usable server) and its user, if any. */
interface SelectedContext {
  name: string;
  context: Dict;
  cluster: Dict;
  user?: Dict;
  userName: string;
  server: URL;
}

function selectContext(doc: Dict, redact: (text: string) => string, contextName?: string): SelectedContext {
  const contexts = entries(doc, "contexts");
  const contextNames = contexts.map((c) => c.name).filter((n): n is string => typeof n === "string");
  const current = doc["current-context"];
  const wanted = contextName ?? (typeof current === "string" ? current : "");
  if (wanted === "") {
    invalid(`the kubeconfig has no current-context; choose one of its contexts (${nameList(contextNames)}) with kubectl config use-context NAME (npm run ipam also takes --context NAME)`);
  }
  const context = named(contexts, wanted);
  if (!context) {
    const source = contextName === undefined ? "its current-context" : "--context";
    invalid(`the kubeconfig has no context ${JSON.stringify(redact(wanted))} (${source}); its contexts: ${nameList(contextNames)}`);
  }
  const ctx = isDict(context.context) ? context.context : {};
  const clusterName = typeof ctx.cluster === "string" ? ctx.cluster : "";
  const cluster = named(entries(doc, "clusters"), clusterName);
  if (!cluster) invalid(`the kubeconfig's context ${JSON.stringify(wanted)} names cluster ${JSON.stringify(clusterName)}, which the kubeconfig does not define`);
  const server = isDict(cluster.cluster) ? cluster.cluster.server : undefined;
  let url: URL | undefined;
  try {
    url = typeof server === "string" ? new URL(server) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    const shown = typeof server === "string" ? JSON.stringify(redact(server).slice(0, 80)) : "none";
    invalid(`the kubeconfig's cluster ${JSON.stringify(clusterName)} has no usable server address (found ${shown}; expected https://host:port)`);
  }
  const userName = typeof ctx.user === "string" ? ctx.user : "";
  return { name: wanted, context, cluster, user: named(entries(doc, "users"), userName), userName, server: url };
}

/** Parses and checks a kubeconfig, and loads it into client-node with `contextName` (or its current-context) selected. */
export function loadKubeconfig(text: string, contextName?: string): LoadedKubeconfig {
  const doc = parseKubeconfig(text);
  const { redact, addSecret } = redactorFor(doc);
  const selected = selectContext(doc, redact, contextName);
  const kc = new k8s.KubeConfig();
  try {
    // JSON is YAML: client-node's own parser then meets a document that is already known to be good.
    kc.loadFromString(JSON.stringify(doc));
    kc.setCurrentContext(selected.name);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    invalid(`the kubeconfig could not be loaded: ${redact(why).slice(0, 200)}`);
  }
  // A token-file is read by the loader: its contents are a credential too.
  addSecret(kc.getCurrentUser()?.token);
  const url = selected.server;
  return {
    kc,
    server: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`,
    context: selected.name,
    user: selected.userName || "(none)",
    redact,
    addSecret,
  };
}

/**
 * The kubeconfig cut down to its current context, its cluster and its user (`kubectl config view
 * --minify`): the stack keeps, and hands the provider, no credential it does not use.
 */
export function currentContextOnly(text: string): string {
  const doc = parseKubeconfig(text);
  const selected = selectContext(doc, redactorFor(doc).redact);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": selected.name,
    contexts: [selected.context],
    clusters: [selected.cluster],
    users: selected.user ? [selected.user] : [],
  });
}
