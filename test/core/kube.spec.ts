// The one Kubernetes client: kubeconfigs checked before any request, exec credential plugins run with a
// bound, and no error text anywhere carrying a credential (a canary token that must never appear).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runIpamCli } from "../../cli/ipam";
import { inspectExistingCluster } from "../../lib/cluster/existing-cluster";
import { parseLabConfig } from "../../lib/config";
import { connect, KubeReadError } from "../../lib/core/kube";
import { currentContextOnly } from "../../lib/core/kube-config";
import { readIpamSnapshot } from "../../lib/ipam/reader";
import { missingTool, skipIfMissing } from "../conformance/support/environment";
import { buildLabForTest, fakeDeps } from "../support/lab-harness";
import { fakeKubeconfig, FAKE_TOKEN, FAKE_USER, PATHS, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";

const CANARY = "canary-9f3b2c71d4e8a6b0-must-never-appear";

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    assert.ok(err instanceof Error, String(err));
    return err;
  }
  throw new Error("expected a failure");
}

function readFailure(kubeconfig: string, opts: Parameters<typeof readIpamSnapshot>[1] = {}): Promise<Error> {
  return failure(readIpamSnapshot(kubeconfig, opts));
}

/** Broken kubeconfigs whose token sits next to the fault, where a YAML parser's code frame would show it. */
const BROKEN_WITH_CANARY: [string, string, RegExp][] = [
  ["a bad indent on the token's line", `users:\n- name: u\n  user:\n    token: ${CANARY}\n   bad: indent\n`, /^the kubeconfig is not valid YAML: .* at line \d+, column \d+ \(the text is not repeated here/],
  ["an unclosed flow list", `users: [{name: u, user: {token: ${CANARY}}\n`, /^the kubeconfig is not valid YAML: /],
  ["an alias named like the token", `users:\n- name: u\n  user:\n    token: *${CANARY}\n`, /^the kubeconfig could not be read: it uses YAML aliases in a way no kubeconfig does/],
  ["a tab before the token", `users:\n- name: u\n  user:\n\ttoken: ${CANARY}\n`, /^the kubeconfig is not valid YAML: /],
  ["a token-file that does not exist", fakeKubeconfig("https://127.0.0.1:1").replace(`token: ${FAKE_TOKEN}`, `token-file: /nonexistent/${CANARY}`), /^the kubeconfig could not be loaded: ENOENT/],
];

/** Kubeconfigs of the wrong shape, with what the one reader (lib/core/kube-config.ts) says of each. */
const SHAPE_PROBLEMS: [string, RegExp][] = [
    ["", /^the kubeconfig is empty$/],
    ["   \n\n", /^the kubeconfig is empty$/],
    ["- a\n- b\n", /^the kubeconfig is a list, not a YAML mapping with clusters, contexts and users$/],
    ["just words", /^the kubeconfig is a string, not a YAML mapping/],
    ["apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n", /^the kubeconfig has no current-context; choose one of its contexts \("a"\) with kubectl config use-context NAME \(npm run ipam also takes --context NAME\)$/],
    ["current-context: x\ncontexts: []\n", /^the kubeconfig has no context "x" \(its current-context\); its contexts: none$/],
    ["current-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n", /^the kubeconfig's context "a" names cluster "c", which the kubeconfig does not define$/],
    ["current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: 6443}\n", /^the kubeconfig's cluster "c" has no usable server address \(found none; expected https:\/\/host:port\)$/],
];

describe("the Kubernetes client: kubeconfigs", () => {
  for (const [text, says] of SHAPE_PROBLEMS) {
    it(`says ${says.source.slice(1, 40)}... in one line`, async () => {
      const err = await readFailure(text);
      assert.ok(err instanceof KubeReadError);
      assert.match(err.message, says);
    });
  }

  it("refuses the removed gcp auth-provider, which client-node would run without a bound", async () => {
    const kubeconfig = fakeKubeconfig("https://127.0.0.1:1").replace(`    token: ${FAKE_TOKEN}`, "    auth-provider:\n      name: gcp\n      config: {cmd-path: gcloud}");
    assert.match((await readFailure(kubeconfig)).message, /uses the auth-provider "gcp", which Kubernetes removed in 1\.26 .*switch to gke-gcloud-auth-plugin$/);
  });

  it("strips a user:password from the server address it names", () => {
    const clients = connect(fakeKubeconfig(`https://admin:${CANARY}@127.0.0.1:6443/k8s`));
    assert.equal(clients.server, "https://127.0.0.1:6443/k8s");
  });
});

describe("the Kubernetes client: TLS", () => {
  let dir: string;
  let server: https.Server;
  let url: string;
  before(async function () {
    skipIfMissing(this, missingTool("openssl", "openssl"));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-tls-"));
    const cert = (name: string, subject: string, ext: string[]): void => {
      const run = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-keyout", path.join(dir, `${name}.key`), "-out", path.join(dir, `${name}.crt`), "-subj", subject, ...ext], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
    };
    cert("server", "/CN=127.0.0.1", ["-addext", "subjectAltName=IP:127.0.0.1"]);
    cert("other", "/CN=other-cluster", []);
    server = https.createServer({ key: fs.readFileSync(path.join(dir, "server.key")), cert: fs.readFileSync(path.join(dir, "server.crt")) }, (req, res) => {
      res.writeHead(req.headers.authorization === `Bearer ${FAKE_TOKEN}` ? 200 : 401, { "content-type": "application/json" });
      // Every path gets this answer, so it names no kind (a list of the wrong kind is refused).
      res.end(JSON.stringify({ items: [], metadata: {} }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const withCa = (name: string): string =>
    fakeKubeconfig(url).replace("    insecure-skip-tls-verify: true", `    certificate-authority-data: ${fs.readFileSync(path.join(dir, `${name}.crt`)).toString("base64")}`);

  it("trusts the kubeconfig's certificate-authority-data and sends its token", async () => {
    const snapshot = await readIpamSnapshot(withCa("server"), { scope: "show" });
    assert.deepEqual(snapshot.ippools, []);
  });

  it("refuses a server whose certificate another CA signed, and says what to do", async () => {
    const err = await readFailure(withCa("other"));
    assert.equal(
      err.message,
      `the server at ${url} did not pass the TLS check (DEPTH_ZERO_SELF_SIGNED_CERT): its certificate is not one the kubeconfig's ` +
        "certificate-authority-data vouches for; is this the right cluster, or was it rebuilt? Get a fresh kubeconfig",
    );
  });
});

describe("the Kubernetes client: exec credential plugins (issue 19 items 1 and 5)", () => {
  let server: FakeApiServer;
  let dir: string;
  beforeEach(async () => {
    server = await startFakeApiServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-exec-"));
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A kubeconfig whose user runs `script` (a shell script written to the temp dir) for credentials. */
  function withPlugin(script: string, env: Record<string, string> = {}): string {
    const plugin = path.join(dir, "kubelogin");
    fs.writeFileSync(plugin, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const envYaml = Object.entries(env).map(([name, value]) => `\n      - name: ${name}\n        value: ${value}`).join("");
    return fakeKubeconfig(server.url).replace(
      `    token: ${FAKE_TOKEN}`,
      `    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ${plugin}\n      args: [get-token]${envYaml ? `\n      env:${envYaml}` : ""}`,
    );
  }

  it("gives credentials from a plugin once, then reuses them for every request", async () => {
    const count = path.join(dir, "count");
    const kubeconfig = withPlugin(
      `echo run >> ${count}\n[ "$1" = get-token ] || exit 9\necho "$KUBERNETES_EXEC_INFO" > ${dir}/info\n` +
        `echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"${FAKE_TOKEN}"}}'`,
    );
    const snapshot = await readIpamSnapshot(kubeconfig, { pageSize: 2 });
    assert.equal(snapshot.ipamblocks.length, 6);
    assert.equal(fs.readFileSync(count, "utf8"), "run\n");
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "info"), "utf8")).spec.interactive, false);
  });

  it("stops a plugin that never answers (waiting for a browser), names it, and leaves no process behind", async () => {
    const pidFile = path.join(dir, "pid");
    const started = Date.now();
    const err = await readFailure(withPlugin(`echo $$ > ${pidFile}\nexec sleep 60`), { execTimeoutMs: 400 });
    assert.ok(Date.now() - started < 5000);
    assert.equal(
      err.message,
      `the kubeconfig's exec credential plugin "kubelogin" gave no credentials within 0.4s and was stopped (is it waiting for a browser or a password? ` +
        "log in with it once by hand, e.g. kubectl get nodes, then try again)",
    );
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    await new Promise((r) => setTimeout(r, 100));
    assert.throws(() => process.kill(pid, 0), /ESRCH/, "the plugin was killed");
  });

  it("names the plugin and its exit code when it fails without a word", async () => {
    assert.equal((await readFailure(withPlugin("exit 3"))).message, `the kubeconfig's exec credential plugin "kubelogin" exited with code 3 and said nothing on stderr`);
  });

  it("quotes the first line the plugin printed on stderr, credentials removed", async () => {
    const err = await readFailure(withPlugin(`echo "error: refresh token $SECRET rejected" >&2\nexit 1`, { SECRET: CANARY }));
    assert.equal(err.message, `the kubeconfig's exec credential plugin "kubelogin" exited with code 1: error: refresh token [redacted] rejected`);
  });

  it("never quotes a plugin's output that is not an ExecCredential (it may be the token itself)", async () => {
    const err = await readFailure(withPlugin(`echo ${CANARY}`));
    assert.equal(err.message, `the kubeconfig's exec credential plugin "kubelogin" printed no ExecCredential (its output is not JSON)`);
    const bare = await readFailure(withPlugin(`echo '{"kind":"ExecCredential","status":{}}'`));
    assert.match(bare.message, /printed an ExecCredential without status\.token or a client certificate and key$/);
  });

  it("says when the plugin is not installed", async () => {
    const kubeconfig = withPlugin("true").replace(path.join(dir, "kubelogin"), "kubelogin-not-installed");
    assert.equal((await readFailure(kubeconfig)).message, `the kubeconfig's exec credential plugin "kubelogin-not-installed" is not installed (not found on PATH)`);
  });
});

describe("no error text carries a credential (issue 18 item 3: a canary token)", () => {
  for (const [what, kubeconfig, says] of BROKEN_WITH_CANARY) {
    it(`reader: ${what}`, async () => {
      const err = await readFailure(kubeconfig);
      assert.match(err.message, says);
      assert.ok(!err.message.includes(CANARY), err.message);
      assert.ok(!(err.stack ?? "").includes(CANARY), "not in the stack either");
    });
  }

  it("existing-cluster inspection says which key, never the token", async () => {
    for (const [, kubeconfig] of BROKEN_WITH_CANARY) {
      const err = await failure(inspectExistingCluster(kubeconfig, []));
      assert.match(err.message, /^calico-ipam:kubeconfig: the kubeconfig /);
      assert.ok(!err.message.includes(CANARY), err.message);
    }
  });

  it("config validation never echoes the kubeconfig", async () => {
    for (const [, kubeconfig] of BROKEN_WITH_CANARY) {
      const err = await failure(() => parseLabConfig({ target: "existing", kubeconfig: kubeconfig.replace(/clusters/g, "custers"), podCidr: "10/8" }));
      assert.ok(!err.message.includes(CANARY), err.message);
    }
  });

  it("the CLI prints one line without it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-canary-"));
    try {
      for (const [, kubeconfig] of BROKEN_WITH_CANARY) {
        const file = path.join(dir, "broken.kubeconfig");
        fs.writeFileSync(file, kubeconfig);
        let out = "";
        const code = await runIpamCli(["--kubeconfig", file], { out: (t) => (out += t), err: (t) => (out += t), env: {} });
        assert.equal(code, 1);
        assert.ok(!out.includes(CANARY), out);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an API answer that echoes the token is redacted too", async () => {
    const server = await startFakeApiServer();
    try {
      server.override(PATHS.ippools, (_req, res) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", message: `bad token ${CANARY} for ${FAKE_USER}` }));
      });
      const err = await readFailure(fakeKubeconfig(server.url, CANARY));
      assert.match(err.message, /HTTP 500: bad token \[redacted\] for lab-viewer$/);
    } finally {
      await server.close();
    }
  });
});

describe("the user's kubeconfig, cut to what the stack uses", () => {
  const CANARY = "canary-token-must-never-appear";
  const multi = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: lab",
    "contexts:",
    "- name: prod",
    "  context: { cluster: prod, user: prod-admin }",
    "- name: lab",
    "  context: { cluster: lab, user: lab-admin, namespace: default }",
    "clusters:",
    "- name: prod",
    "  cluster: { server: https://prod.example:6443 }",
    "- name: lab",
    "  cluster: { server: https://127.0.0.1:6443 }",
    "users:",
    "- name: prod-admin",
    `  user: { token: ${CANARY} }`,
    "- name: lab-admin",
    "  user: { token: lab-token }",
    "",
  ].join("\n");

  it("keeps only the current context, its cluster and its user", () => {
    const kept = currentContextOnly(multi);
    assert.doesNotMatch(kept, new RegExp(CANARY));
    assert.doesNotMatch(kept, /prod/);
    assert.match(kept, /lab-token/);
    assert.match(kept, /current-context: lab/);
  });

  it("explains a broken file by entry names and line numbers, never by its contents", () => {
    const broken = multi.replace("current-context: lab", "current-context: missing");
    assert.throws(() => currentContextOnly(broken), /: the kubeconfig has no context "missing" \(its current-context\); its contexts: "prod", "lab"$/);
    assert.throws(() => currentContextOnly(multi.replace("current-context: lab\n", "")), /: the kubeconfig has no current-context; choose one of its contexts/);
    const badYaml = `${multi}\n  token: [${CANARY}\n`;
    assert.throws(() => currentContextOnly(badYaml), (err: Error) => {
      assert.doesNotMatch(err.message, new RegExp(CANARY));
      assert.match(err.message, /^the kubeconfig is not valid YAML: .* at line \d+, column \d+/);
      return true;
    });
  });
});

describe("one kubeconfig reader: the same broken file, the same words in pulumi up and npm run ipam", function () {
  this.timeout(30_000);
  const broken = [...SHAPE_PROBLEMS.map(([text]) => text), ...BROKEN_WITH_CANARY.filter(([what]) => !what.includes("token-file")).map(([, text]) => text)];

  it("the stack's cut to one context fails as the client does, and names the key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-same-words-"));
    try {
      for (const text of broken) {
        const reader = (await readFailure(text)).message;
        assert.throws(() => currentContextOnly(text), (err: Error) => err.message === reader, reader);
        const up = await failure(buildLabForTest({ target: "existing", kubeconfigPath: "/home/me/.kube/lab" }, fakeDeps({ readFile: () => text })));
        assert.equal(up.message, `calico-ipam:kubeconfigPath: ${reader}`);
        const file = path.join(dir, "broken.kubeconfig");
        fs.writeFileSync(file, text);
        let err = "";
        assert.equal(await runIpamCli(["--kubeconfig", file], { out: () => undefined, err: (t) => (err += t), env: {} }), 1);
        assert.equal(err, `error: --kubeconfig ${file}: ${reader}\n`);
        for (const message of [reader, up.message, err]) assert.ok(!message.includes(CANARY), message);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
