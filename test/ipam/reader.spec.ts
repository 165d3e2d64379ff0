// The IPAM reader against a real HTTP server on 127.0.0.1: the lab's fixtures, then broken and
// hostile answers (issue 19), each bounded in count and time.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeReadError } from "../../lib/core/kube";
import { analyseSnapshot, readIpamSnapshot, readIpamState } from "../../lib/ipam/reader";
import { closedPort, fakeKubeconfig, FAKE_TOKEN, PATHS, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";

async function readError(promise: Promise<unknown>): Promise<KubeReadError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KubeReadError, `expected a KubeReadError, got ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/, "the message is one line");
    return err;
  }
  throw new Error("expected the read to fail");
}

describe("IPAM reader against a fake API server", () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await startFakeApiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("pages through every list with limit/continue and gets all items, each kind listed once", async () => {
    const snapshot = await readIpamSnapshot(fakeKubeconfig(server.url), { pageSize: 2 });
    assert.deepEqual(
      [snapshot.ippools.length, snapshot.ipamblocks.length, snapshot.blockaffinities.length, snapshot.nodes.length, snapshot.tigerastatuses.length, snapshot.pods?.length, snapshot.ipamhandles?.length],
      [2, 6, 7, 3, 3, 17, 17],
    );
    const count = (p: string, withContinue: boolean): number =>
      server.requests.filter((r) => r.path === p && r.limit === "2" && (r.continue !== undefined) === withContinue).length;
    // 6 blocks in pages of 2: one first request and two continued ones.
    assert.deepEqual([count(PATHS.ipamblocks, false), count(PATHS.ipamblocks, true)], [1, 2]);
    assert.deepEqual([count(PATHS.blockaffinities, true), count(PATHS.nodes, true), count(PATHS.ippools, true)], [3, 1, 0]);
    // Pages arrive in order: the affinities keep the server's (name) order.
    assert.deepEqual(
      (snapshot.blockaffinities as { spec: { cidr: string } }[]).map((a) => a.spec.cidr),
      ["192.168.0.128/26", "192.168.0.64/26", "10.99.0.0/26", "192.168.1.64/26", "10.48.0.16/28", "192.168.2.0/26", "192.168.2.192/26"],
    );
  });

  it("keeps only what Calico reads of pods and nodes", async () => {
    const snapshot = await readIpamSnapshot(fakeKubeconfig(server.url));
    assert.deepEqual(snapshot.nodes[0], {
      metadata: {
        name: "calico-ipam-control-plane",
        annotations: {
          "projectcalico.org/IPv4Address": "172.18.0.3/16",
          "projectcalico.org/IPv4VXLANTunnelAddr": "192.168.0.64",
          "projectcalico.org/VXLANTunnelMACAddr": "66:3a:d0:5b:1e:01",
        },
      },
    });
    assert.doesNotMatch(JSON.stringify(snapshot.pods), /containers|registry\.k8s\.io|uid/);
  });

  it("reads the state the stack outputs show, though the wire carries 2^53+ sequence numbers", async () => {
    const raw = await (await fetch(`${server.url}${PATHS.ipamblocks}`, { headers: { authorization: `Bearer ${FAKE_TOKEN}` } })).text();
    assert.match(raw, /"sequenceNumber":1764030783418772001[,}]/);
    const state = await readIpamState(fakeKubeconfig(server.url), { pageSize: 3 });
    assert.deepEqual(state.ipam.pools.map((p) => [p.name, p.ipsInUse, p.ipsFree]), [
      ["default-ipv4-ippool", "14", "65522"],
      ["lab-extra-ippool", "2", "254"],
    ]);
    assert.deepEqual(state.ipam.check, { ipsAllocated: "17", ipsInUse: "17", problems: 0 });
    assert.deepEqual(Object.keys(state.tigeraStatus), ["apiserver", "calico", "ippools"]);
  });

  it("asks for 500 items a page by default; `show` reads only what calicoctl ipam show reads", async () => {
    await readIpamSnapshot(fakeKubeconfig(server.url), { scope: "show" });
    assert.deepEqual(server.requests.map((r) => r.path).sort(), [PATHS.nodes, PATHS.blockaffinities, PATHS.ipamblocks, PATHS.ipamconfig, PATHS.ippools, PATHS.tigerastatuses].sort());
    assert.ok(server.requests.filter((r) => r.path !== PATHS.ipamconfig).every((r) => r.limit === "500" && r.continue === undefined));
    assert.ok(server.requests.every((r) => r.method === "GET"), "a read never writes");
  });

  it("says Calico CRDs are missing on a 404", async () => {
    server.failWith(PATHS.ipamblocks, 404);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.equal(err.kind, "not-found");
    assert.equal(err.message, `Calico CRDs not found: ${server.url} has no ipamblocks.crd.projectcalico.org (is Calico installed?)`);
  });

  it("treats missing TigeraStatus (no operator) as no components, not as a failure", async () => {
    server.failWith(PATHS.tigerastatuses, 404);
    const state = await readIpamState(fakeKubeconfig(server.url));
    assert.deepEqual(state.tigeraStatus, {});
    assert.deepEqual(state.warnings, []);
  });

  it("reports despite a 403 on TigeraStatus only (calicoctl's RBAC does not grant it), with one warning", async () => {
    server.failWith(PATHS.tigerastatuses, 403);
    const state = await readIpamState(fakeKubeconfig(server.url));
    assert.equal(state.ipam.pools.length, 2);
    assert.equal(state.warnings.length, 1);
    assert.match(state.warnings[0], /^TigeraStatus not read, so tigeraStatus is empty \(forbidden: user "lab-viewer" may not list tigerastatuses\.operator\.tigera\.io/);
  });

  it("reports without the check when pods may not be listed, and says which permission is missing", async () => {
    server.failWith(PATHS.pods, 403);
    const state = await readIpamState(fakeKubeconfig(server.url));
    assert.equal(state.ipam.check, null);
    assert.match(state.warnings.join("\n"), /pods not read, so there is no check \(forbidden: user "lab-viewer" may not list pods on .*it needs RBAC permission to list "pods" in the core API group\)/);
  });

  it("names the resource, the user and the permission on a 403", async () => {
    server.failWith(PATHS.ippools, 403);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.equal(err.kind, "forbidden");
    assert.equal(
      err.message,
      `forbidden: user "lab-viewer" may not list ippools.crd.projectcalico.org on ${server.url} (HTTP 403); it needs RBAC permission to list "ippools" in API group "crd.projectcalico.org"`,
    );
  });

  it("reports a server error with the API's own message", async () => {
    server.failWith(PATHS.blockaffinities, 500);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.match(err.message, /failed to list blockaffinities\.crd\.projectcalico\.org: HTTP 500: etcdserver: request timed out$/);
  });

  it("says the credentials were rejected on a 401", async () => {
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url, "wrong-token")));
    assert.match(err.message, /^unauthorized: .* rejected the credentials of user "lab-viewer" \(HTTP 401\)$/);
  });

  it("names the server when the connection is refused", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const err = await readError(readIpamSnapshot(fakeKubeconfig(url)));
    assert.equal(err.kind, "unreachable");
    assert.equal(err.message, `cannot reach the Kubernetes API at ${url} (ECONNREFUSED)`);
  });

  describe("answers that are not the Kubernetes API (issue 19 items 2 and 4)", () => {
    const answer = (status: number, type: string, body: string): http.RequestListener => (_req, res) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };

    it("a web page at the server address (an SSO proxy, a wrong URL) is an error, never an empty report", async () => {
      server.override(PATHS.ippools, answer(200, "text/html; charset=utf-8", "<!doctype html><title>Sign in</title>"));
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
      assert.equal(
        err.message,
        `${server.url} answered list ippools.crd.projectcalico.org with a web page (HTTP 200, text/html), not the Kubernetes API: ` +
          "is the kubeconfig's server address right, or is a login page or proxy in the way?",
      );
    });

    for (const [body, shape] of [
      ["null", "JSON null"],
      ["[]", "a JSON array"],
      ['"hello"', "JSON string"],
      ['{"kind":"IPAMBlockList","items":{}}', "an object without an items list"],
      ['{"kind":"Status","items":[]}', 'an object of kind "Status"'],
    ] as const) {
      it(`200 with ${body} is not a list: one line, no TypeError`, async () => {
        server.override(PATHS.ipamblocks, answer(200, "application/json", body));
        const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
        assert.equal(err.message, `${server.url} answered the list of ipamblocks.crd.projectcalico.org with ${shape}, not a Kubernetes list: is the server address right?`);
      });
    }

    it("a list of another kind (a PodList for ippools) is an error of one line, never an empty table", async () => {
      server.override(PATHS.ippools, answer(200, "application/json", '{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[]}'));
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
      assert.equal(err.message, `${server.url} answered the list of ippools.crd.projectcalico.org with a list of kind "PodList", not IPPoolList: is the server address right?`);
      // A list without a kind is still taken, as before.
      server.override(PATHS.ippools, answer(200, "application/json", '{"items":[]}'));
      assert.deepEqual((await readIpamSnapshot(fakeKubeconfig(server.url))).ippools, []);
    });

    it("truncated JSON says so", async () => {
      server.override(PATHS.ippools, answer(200, "application/json", '{"kind":"IPPoolList","items":[{"spec":'));
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
      assert.match(err.message, /answered GET \/apis\/crd\.projectcalico\.org\/v1\/ippools with something that is not JSON \(application\/json, 38 bytes\)/);
    });

    it("a redirect is not followed", async () => {
      server.override(PATHS.ippools, (_req, res) => {
        res.writeHead(302, { location: "https://sso.example.com/login" });
        res.end();
      });
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
      assert.match(err.message, /with a redirect \(HTTP 302\) to https:\/\/sso\.example\.com\/login: a Kubernetes API never redirects/);
    });

    it("a server handing out a new continue token on every empty page is stopped at the page cap", async () => {
      let pages = 0;
      server.override(PATHS.ipamblocks, (_req, res) => {
        pages += 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "IPAMBlockList", items: [], metadata: { continue: `token-${pages}` } }));
      });
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url), { maxPages: 40 }));
      assert.equal(pages, 40);
      assert.match(err.message, /kept handing out continue tokens for ipamblocks\.crd\.projectcalico\.org: gave up after 40 pages \(0 objects\)/);
    });

    it("a body that streams without end is cut at the size cap, memory bounded", async function () {
      this.timeout(20_000);
      let sent = 0;
      server.override(PATHS.ipamblocks, (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"kind":"IPAMBlockList","items":[');
        const chunk = Buffer.alloc(64 * 1024, "0,");
        const pump = (): void => {
          while (!res.destroyed && sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
          if (!res.destroyed && sent < 64 * 1024 * 1024) res.once("drain", pump);
        };
        pump();
      });
      const before = process.memoryUsage().rss;
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url), { maxResponseBytes: 2 * 1024 * 1024 }));
      assert.match(err.message, /sent more than 2 MiB for the list of ipamblocks\.crd\.projectcalico\.org; gave up reading/);
      assert.ok(sent < 32 * 1024 * 1024, `the server got to send ${sent} bytes`);
      assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
    });

    it("a server that sends headers and then stalls is given up on after the timeout", async () => {
      server.override(PATHS.ippools, (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"kind":"IPPoolList",');
      });
      const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url), { timeoutMs: 300 }));
      assert.equal(err.message, `cannot reach the Kubernetes API at ${server.url}: no answer within 0.3s`);
    });
  });

  it("gives up on a server that never answers", async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const err = await readError(readIpamSnapshot(fakeKubeconfig(url), { timeoutMs: 200 }));
      assert.equal(err.kind, "unreachable");
      assert.equal(err.message, `cannot reach the Kubernetes API at ${url}: no answer within 0.2s`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("turns one read into the views: analyseSnapshot keeps the checked objects and the check text", async () => {
    const analysis = analyseSnapshot(await readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.equal(analysis.checked.blocks.length, 6);
    assert.match(analysis.check?.text ?? "", /Check complete; found 0 problems\.\n$/);
  });
});
