import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeReadError } from "../../lib/core/kube";
import { readIpamSnapshot, readIpamState } from "../../lib/ipam/reader";
import { closedPort, fakeKubeconfig, PATHS, startFakeApiServer, type FakeApiServer } from "../support/fake-apiserver";

async function readError(promise: Promise<unknown>): Promise<KubeReadError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KubeReadError, `expected an KubeReadError, got ${String(err)}`);
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

  it("pages through every list with limit/continue and gets all items", async () => {
    const snapshot = await readIpamSnapshot(fakeKubeconfig(server.url), { pageSize: 2 });
    // 2 pools, 6 blocks, 7 affinities, 3 nodes, 3 statuses: pages of 2 need 1, 3, 4, 2 and 2 requests.
    assert.equal(snapshot.ippools.length, 2);
    assert.equal(snapshot.ipamblocks.length, 6);
    assert.equal(snapshot.blockaffinities.length, 7);
    assert.equal(snapshot.nodes.length, 3);
    assert.equal(snapshot.tigerastatuses.length, 3);
    const count = (p: string, withContinue: boolean): number =>
      server.requests.filter((r) => r.path === p && r.limit === "2" && (r.continue !== undefined) === withContinue).length;
    assert.equal(count(PATHS.ipamblocks, false), 1);
    assert.equal(count(PATHS.ipamblocks, true), 2);
    assert.equal(count(PATHS.blockaffinities, true), 3);
    assert.equal(count(PATHS.nodes, true), 1);
    assert.equal(count(PATHS.ippools, true), 0);
    // Pages arrive in order: the affinities keep the server's (name) order.
    assert.deepEqual(
      snapshot.blockaffinities.map((a) => a.spec?.cidr),
      ["192.168.0.128/26", "192.168.0.64/26", "10.99.0.0/26", "192.168.1.64/26", "10.48.0.16/28", "192.168.2.0/26", "192.168.2.192/26"],
    );
  });

  it("reads the state the stack outputs show, though the wire carries 2^53+ sequence numbers", async () => {
    const raw = await (await fetch(`${server.url}${PATHS.ipamblocks}`, { headers: { authorization: "Bearer lab-viewer-token" } })).text();
    assert.match(raw, /"sequenceNumber":1764030783418772001[,}]/);
    const state = await readIpamState(fakeKubeconfig(server.url), { pageSize: 3 });
    assert.deepEqual(
      state.ipam.pools.map((p) => [p.name, p.ipsInUse, p.ipsFree]),
      [
        ["default-ipv4-ippool", 14, 65522],
        ["lab-extra-ippool", 2, 254],
      ],
    );
    assert.deepEqual(state.ipam.orphanBlocks.map((b) => b.cidr), ["10.99.0.0/26"]);
    assert.equal(state.blockAffinities.filter((a) => a.deleted).length, 1);
    assert.deepEqual(Object.keys(state.tigeraStatus), ["apiserver", "calico", "ippools"]);
  });

  it("asks for 500 items a page by default: one request per list here", async () => {
    await readIpamSnapshot(fakeKubeconfig(server.url));
    assert.equal(server.requests.length, 5);
    assert.ok(server.requests.every((r) => r.limit === "500" && r.continue === undefined));
  });

  it("says Calico CRDs are missing on a 404", async () => {
    server.failWith(PATHS.ipamblocks, 404);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.equal(err.kind, "not-found");
    assert.equal(
      err.message,
      `Calico CRDs not found: ${server.url} has no ipamblocks.crd.projectcalico.org (is Calico installed?)`,
    );
  });

  it("treats missing TigeraStatus (no operator) as no components, not as a failure", async () => {
    server.failWith(PATHS.tigerastatuses, 404);
    const state = await readIpamState(fakeKubeconfig(server.url));
    assert.deepEqual(state.tigeraStatus, {});
    assert.equal(state.ipam.pools.length, 2);
  });

  it("names the resource and the user on a 403", async () => {
    server.failWith(PATHS.ippools, 403);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.equal(err.kind, "forbidden");
    assert.equal(err.message, `forbidden: user "lab-viewer" may not list ippools.crd.projectcalico.org on ${server.url} (HTTP 403)`);
  });

  it("names the nodes resource when listing nodes is forbidden", async () => {
    server.failWith(PATHS.nodes, 403);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.match(err.message, /^forbidden: user "lab-viewer" may not list nodes on /);
  });

  it("reports a server error with the API's own message", async () => {
    server.failWith(PATHS.blockaffinities, 500);
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url)));
    assert.equal(err.kind, "other");
    assert.match(err.message, /failed to list blockaffinities\.crd\.projectcalico\.org: HTTP 500: etcdserver: request timed out$/);
  });

  it("says the credentials were rejected on a 401", async () => {
    const err = await readError(readIpamSnapshot(fakeKubeconfig(server.url, "wrong-token")));
    assert.equal(err.kind, "other");
    assert.match(err.message, /^unauthorized: .* rejected the credentials of user "lab-viewer" \(HTTP 401\)$/);
  });

  it("names the server when the connection is refused", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const err = await readError(readIpamSnapshot(fakeKubeconfig(url)));
    assert.equal(err.kind, "unreachable");
    assert.equal(err.message, `cannot reach the Kubernetes API at ${url} (ECONNREFUSED)`);
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

  it("rejects a kubeconfig that is not one", async () => {
    const err = await readError(readIpamSnapshot("clusters: [unclosed"));
    assert.equal(err.kind, "other");
    assert.match(err.message, /^the kubeconfig is not valid: /);
  });
});
