// One transport for every request, with retries for the idempotent ones,
// through a fault proxy in front of both real registries: one 503, or one
// dropped connection (the registry answered, the client never got it), on
// each kind of request is recovered; a 503 for ever ends within the timeout
// with a typed error naming the request. The token server's requests go
// through the same stack (docker-registry with token auth, and a fetch of ours
// that fails the first token request).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { appendLayers, createTarStream, emptyImage, RegistryError, StreamLayer, writeImage } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { MAX_ATTEMPTS } from "../../src/registry/_retrying.ts";
import { collect } from "../support/bytes.ts";
import { type FaultAction, type FaultProxy, startFaultProxy } from "../support/fault_proxy.ts";
import { REGISTRY_KINDS, type RunningRegistry, startRegistry } from "../support/registry.ts";
import { randomData } from "./_helpers.ts";

const TIMEOUT = 3000;
const WITHIN = TIMEOUT + 4000;
const unavailable: FaultAction = { kind: "respond", status: 503, body: JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "try later" }] }) };
const dropped: FaultAction = { kind: "drop-response" };

interface Pushed {
  manifest: { digest: string; bytes: Uint8Array; mediaType: string };
  layer: { digest: string; size: number };
}

async function pushImage(host: string, repository: string, auth?: { username: string; password: string }): Promise<Pushed> {
  const tar = createTarStream([{ path: "data.bin", data: randomData(200_000, 9) }]);
  const layer = new StreamLayer(tar);
  await writeImage(`${host}/${repository}:1`, appendLayers(emptyImage(), layer), { auth });
  const client = new RegistryClient(`${host}/${repository}`, { auth });
  const fetched = await client.getManifest("1");
  return {
    manifest: { digest: fetched.descriptor.digest, bytes: fetched.bytes, mediaType: fetched.descriptor.mediaType },
    layer: { digest: await layer.digest(), size: await layer.size() },
  };
}

/** The kinds of request a pull or a push makes, each run once through `client`. */
const requests: Record<string, { matches: (method: string, url: string) => boolean; run: (client: RegistryClient, pushed: Pushed) => Promise<void> }> = {
  "the /v2/ ping": {
    matches: (method, url) => method === "GET" && url === "/v2/",
    run: async (client) => void (await client.headManifest("1")),
  },
  "a manifest GET": {
    matches: (method, url) => method === "GET" && url.includes("/manifests/"),
    run: async (client, pushed) => assert.equal((await client.getManifest("1")).descriptor.digest, pushed.manifest.digest),
  },
  "a manifest HEAD": {
    matches: (method, url) => method === "HEAD" && url.includes("/manifests/"),
    run: async (client, pushed) => assert.equal((await client.headManifest(pushed.manifest.digest))?.digest, pushed.manifest.digest),
  },
  "a blob HEAD": {
    matches: (method, url) => method === "HEAD" && url.includes("/blobs/"),
    run: async (client, pushed) => assert.equal((await client.headBlob(pushed.layer.digest))?.size, pushed.layer.size),
  },
  "a blob GET": {
    matches: (method, url) => method === "GET" && url.includes("/blobs/sha256:"),
    run: async (client, pushed) => assert.equal((await collect(await client.getBlob(pushed.layer.digest, pushed.layer.size))).byteLength, pushed.layer.size),
  },
  "a manifest PUT": {
    matches: (method, url) => method === "PUT" && url.includes("/manifests/"),
    run: async (client, pushed) => assert.equal((await client.putManifest("again", pushed.manifest.bytes, pushed.manifest.mediaType)).digest, pushed.manifest.digest),
  },
};

for (const kind of REGISTRY_KINDS) describe(`retries of idempotent requests, ${kind}`, () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let pushed: Pushed;
  before(async () => {
    registry = await startRegistry({ kind });
    proxy = await startFaultProxy(registry.url);
    pushed = await pushImage(registry.host, "retry/app");
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });

  for (const [name, request] of Object.entries(requests)) {
    for (const [fault, action] of [["a 503", unavailable], ["a dropped connection", dropped]] as const) {
      test(`${fault} on ${name} is recovered: the request is sent again`, async () => {
        let injected = 0;
        proxy.log.length = 0;
        proxy.setRule(({ method, url }) => (request.matches(method, url) && injected++ === 0 ? action : undefined));
        await request.run(new RegistryClient(`${proxy.host}/retry/app`, { timeout: TIMEOUT }), pushed);
        const matching = proxy.log.filter((entry) => request.matches(entry.method, entry.url));
        assert.equal(matching[0]?.action, action.kind, "the fault was injected");
        assert.equal(matching.length, 2, "sent once more, and no more");
        assert.ok((matching[1]?.status ?? 0) < 400, `then answered ${matching[1]?.status}`);
      });
    }
  }

  test("a 503 for ever on a manifest GET ends within the timeout, typed, naming the request", async () => {
    proxy.log.length = 0;
    proxy.setRule(({ method, url }) => (requests["a manifest GET"]!.matches(method, url) ? unavailable : undefined));
    const started = Date.now();
    const error = await new RegistryClient(`${proxy.host}/retry/app`, { timeout: TIMEOUT }).getManifest("1").catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    assert.ok(error instanceof RegistryError, String(error));
    assert.equal(error.status, 503);
    assert.equal(error.temporary, true);
    assert.deepEqual(error.codes, ["UNAVAILABLE"]);
    assert.equal(error.url, `${proxy.url}/v2/retry/app/manifests/1`);
    assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/v2\/retry\/app\/manifests\/1: HTTP 503/);
    const attempts = proxy.log.filter((entry) => entry.url.includes("/manifests/")).length;
    assert.ok(attempts >= 2 && attempts <= MAX_ATTEMPTS, `${attempts} attempts`);
    assert.ok(elapsed < WITHIN, `ended after ${elapsed} ms`);
  });

  for (const what of ["manifest", "config"] as const) {
    test(`a ${what} whose body is cut short once is read again whole`, async () => {
      const configDigest = (JSON.parse(new TextDecoder().decode(pushed.manifest.bytes)) as { config: { digest: string } }).config.digest;
      const path = what === "manifest" ? "/manifests/1" : `/blobs/${configDigest}`;
      let injected = 0;
      proxy.log.length = 0;
      proxy.setRule(({ method, url }) => (method === "GET" && url.endsWith(path) && injected++ === 0 ? { kind: "cut-response", after: 20 } : undefined));
      const client = new RegistryClient(`${proxy.host}/retry/app`, { timeout: TIMEOUT });
      if (what === "manifest") assert.equal((await client.getManifest("1")).descriptor.digest, pushed.manifest.digest);
      else assert.ok((await client.getSmallBlob(configDigest)).byteLength > 20);
      assert.deepEqual(proxy.log.filter((entry) => entry.url.endsWith(path)).map((entry) => entry.action), ["cut-response", "forward"]);
    });
  }

  test("a blob whose body is cut short once is taken up where it stood, and checked whole", async () => {
    let injected = 0;
    proxy.log.length = 0;
    const path = `/blobs/${pushed.layer.digest}`;
    proxy.setRule(({ method, url }) => (method === "GET" && url.endsWith(path) && injected++ === 0 ? { kind: "cut-response", after: 50_000 } : undefined));
    const client = new RegistryClient(`${proxy.host}/retry/app`, { timeout: TIMEOUT });
    const bytes = await collect(await client.getBlob(pushed.layer.digest, pushed.layer.size));
    assert.equal(bytes.byteLength, pushed.layer.size);
    const gets = proxy.log.filter((entry) => entry.url.endsWith(path));
    assert.deepEqual(gets.map((entry) => entry.action), ["cut-response", "forward"]);
    assert.ok(gets[1]!.status === 206 || gets[1]!.status === 200, `the rest came: ${gets[1]!.status}`);
  });

  test("a 503 for ever on a blob upload's POST is not retried (not idempotent): one request, typed", async () => {
    proxy.log.length = 0;
    proxy.setRule(({ method }) => (method === "POST" ? unavailable : undefined));
    const error = await new RegistryClient(`${proxy.host}/retry/app`, { timeout: TIMEOUT }).startUpload().catch((e: unknown) => e);
    assert.ok(error instanceof RegistryError && error.status === 503, String(error));
    assert.equal(proxy.log.filter((entry) => entry.method === "POST").length, 1);
  });
});

describe("the token server's requests go through the same stack, docker-registry with token auth", () => {
  let registry: RunningRegistry;
  let pushed: Pushed;
  before(async () => {
    registry = await startRegistry({ auth: "token" });
    pushed = await pushImage(registry.host, "retry/token", registry.credentials);
  });
  after(() => registry.stop());

  test("the test token server names its key as distribution v3 expects (x5c) and as 2.x does (kid): the registry takes either", async () => {
    const url = `${registry.url}/v2/retry/token/manifests/1`;
    for (const keyIn of ["x5c", "kid", "both"] as const) {
      const token = registry.tokenServer!.sign("retry/token", 60, keyIn);
      const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid?: string; x5c?: string[] };
      assert.equal(header.x5c !== undefined, keyIn !== "kid");
      assert.equal(header.kid !== undefined, keyIn !== "x5c");
      const response = await fetch(url, { method: "HEAD", headers: { authorization: `Bearer ${token}`, accept: pushed.manifest.mediaType } });
      assert.equal(response.status, 200, `a token with ${keyIn}`);
    }
  });

  for (const [fault, fail] of [
    ["a 503", () => Promise.resolve(new Response(JSON.stringify({ errors: [{ code: "UNAVAILABLE" }] }), { status: 503 }))],
    ["a dropped connection", () => Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }))],
  ] as const) {
    test(`${fault} on the token GET is recovered`, async () => {
      const realm = registry.tokenServer!.realm;
      const seen: string[] = [];
      let failed = 0;
      const fetcher: typeof fetch = (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        seen.push(url.startsWith(realm) ? "token" : "registry");
        if (url.startsWith(realm) && failed++ === 0) return fail();
        return globalThis.fetch(input, init);
      };
      const client = new RegistryClient(`${registry.host}/retry/token`, { auth: registry.credentials, fetch: fetcher, timeout: TIMEOUT });
      assert.equal((await client.headBlob(pushed.layer.digest))?.size, pushed.layer.size);
      assert.equal(seen.filter((s) => s === "token").length, 2, "the token request was sent again, once");
    });
  }
});
