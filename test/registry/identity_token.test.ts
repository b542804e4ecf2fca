// An identity token (OAuth2 refresh token) as the library's `auth`: traded at
// the token realm with the refresh-token grant, again on expiry and on a 401,
// and sent nowhere else. Fake registries on hosts loopback cannot play check
// the realm rules; docker-registry with its token server checks real pushes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AuthError, RegistryError, StreamLayer, TimeoutError, UnsafeRedirectError, writeLayer } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { assertLayerBlob, randomData } from "./_helpers.ts";
import { bearerPing, fakeFetch, type FakeHandler } from "../support/fake_fetch.ts";

const IDENTITY = "refresh-4f9c-secret";
const DIGEST = `sha256:${"0".repeat(64)}`;


const onHost = (host: string, answer: FakeHandler): FakeHandler => (request, body) => (new URL(request.url).host === host ? answer(request, body) : undefined);

test("the refresh-token grant is a POST of a form to the realm; the identity token goes nowhere else", async () => {
  let issued = 0;
  const { fetch, seen } = fakeFetch(
    bearerPing("https://auth.example.com/token"),
    onHost("auth.example.com", () => Response.json({ access_token: `access-${++issued}`, expires_in: 300 })),
    (r) => (r.method === "HEAD" ? new Response(null, { status: r.headers.get("authorization") === "Bearer access-1" ? 404 : 401 }) : undefined),
  );
  const client = new RegistryClient("registry.example.com/team/app", { fetch, auth: { identityToken: IDENTITY } });
  assert.equal(await client.headBlob(DIGEST), undefined);
  const grant = seen.find((s) => new URL(s.url).host === "auth.example.com")!;
  assert.equal(grant.method, "POST");
  assert.equal(grant.url, "https://auth.example.com/token", "nothing in the query");
  assert.equal(grant.authorization, null);
  const form = new URLSearchParams(grant.body);
  assert.deepEqual(Object.fromEntries(form), {
    grant_type: "refresh_token",
    refresh_token: IDENTITY,
    client_id: "streamlayer",
    service: "reg",
    scope: "repository:team/app:pull",
  });
  const elsewhere = seen.filter((s) => s !== grant);
  assert.ok(elsewhere.every((s) => !`${s.url} ${s.authorization} ${s.body}`.includes(IDENTITY)), "the identity token is sent to the realm only");
  assert.equal(seen.at(-1)!.authorization, "Bearer access-1");
  assert.equal(issued, 1);
});

test("a refresh token the server rotates is the one sent at the next grant", async () => {
  const grants: string[] = [];
  let heads = 0;
  const { fetch } = fakeFetch(
    bearerPing("https://auth.example.com/token"),
    onHost("auth.example.com", (_, body) => {
      grants.push(new URLSearchParams(body).get("refresh_token")!);
      return Response.json({ access_token: `access-${grants.length}`, refresh_token: `rotated-${grants.length}`, expires_in: 300 });
    }),
    // The first access token is good for one request only, as if it had expired.
    (r) => {
      if (r.method !== "HEAD") return undefined;
      heads++;
      const good = r.headers.get("authorization") === (heads === 1 ? "Bearer access-1" : "Bearer access-2");
      return good ? new Response(null, { status: 404 }) : new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer realm="https://auth.example.com/token",service="reg"' } });
    },
  );
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { identityToken: IDENTITY } });
  assert.equal(await client.headBlob(DIGEST), undefined);
  assert.equal(await client.headBlob(DIGEST), undefined);
  assert.deepEqual(grants, [IDENTITY, "rotated-1"]);
});

test("a refused identity token is an AuthError (401, 403, and OAuth2's 400 invalid_grant) that does not repeat it", async () => {
  for (const status of [400, 401, 403]) {
    const { fetch } = fakeFetch(
      bearerPing("https://auth.example.com/token"),
      onHost("auth.example.com", () => Response.json({ error: "invalid_grant" }, { status })),
    );
    const client = new RegistryClient("registry.example.com/a", { fetch, auth: { identityToken: IDENTITY } });
    const error = await client.headBlob(DIGEST).catch((e: unknown) => e);
    assert.ok(error instanceof AuthError, `HTTP ${status}`);
    assert.equal(error.status, status);
    assert.match(error.message, /refused the identity token/);
    assert.ok(!error.message.includes(IDENTITY));
  }
});

test("an HTTPS registry's plain-HTTP realm, or another host's private address, never gets the identity token", async () => {
  const plain = fakeFetch(bearerPing("http://auth.example.com/token"), onHost("auth.example.com", () => Response.json({ token: "t" })));
  const client = new RegistryClient("registry.example.com/a", { fetch: plain.fetch, auth: { identityToken: IDENTITY } });
  await assert.rejects(client.headBlob(DIGEST), (error) => error instanceof AuthError && /plain-HTTP token realm/.test(error.message));
  assert.ok(plain.seen.every((s) => new URL(s.url).host === "registry.example.com"));

  for (const realm of ["http://169.254.169.254/token", "https://10.0.0.8/token", "https://localhost/token"]) {
    const { fetch, seen } = fakeFetch(bearerPing(realm), () => Response.json({ token: "t" }));
    const privateRealm = new RegistryClient("registry.example.com/a", { fetch, auth: { identityToken: IDENTITY } });
    await assert.rejects(privateRealm.headBlob(DIGEST), UnsafeRedirectError, realm);
    assert.ok(seen.every((s) => new URL(s.url).host === "registry.example.com"), realm);
  }
});

test("a realm that redirects the grant is not followed", async () => {
  const { fetch, seen } = fakeFetch(
    bearerPing("https://auth.example.com/token"),
    onHost("auth.example.com", () => new Response(null, { status: 307, headers: { location: "https://collector.example.org/token" } })),
    onHost("collector.example.org", () => Response.json({ token: "stolen" })),
  );
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { identityToken: IDENTITY } });
  await assert.rejects(client.headBlob(DIGEST), (error) => error instanceof RegistryError && error.status === 307);
  assert.ok(seen.every((s) => new URL(s.url).host !== "collector.example.org"));
});

test("a token answer over 1 MiB is an AuthError; a realm that does not answer ends with the timeout", async () => {
  const huge = fakeFetch(bearerPing("https://auth.example.com/token"), onHost("auth.example.com", () => Response.json({ access_token: "x".repeat(1024 * 1024 + 1) })));
  const client = new RegistryClient("registry.example.com/a", { fetch: huge.fetch, auth: { identityToken: IDENTITY } });
  await assert.rejects(client.headBlob(DIGEST), (error) => error instanceof AuthError && /larger than 1 MiB/.test(error.message));

  const silent = fakeFetch(bearerPing("https://auth.example.com/token"), onHost("auth.example.com", () => new Promise<Response>(() => {})));
  const waiting = new RegistryClient("registry.example.com/a", { fetch: silent.fetch, auth: { identityToken: IDENTITY }, timeout: 200 });
  await assert.rejects(waiting.headBlob(DIGEST), (error) => error instanceof TimeoutError && error.method === "POST");
});

test("a Basic challenge gets nothing for an identity token", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }) : undefined),
    () => new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
  );
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { identityToken: IDENTITY } });
  await assert.rejects(client.headBlob(DIGEST), AuthError);
  assert.ok(seen.every((s) => s.authorization === null && !s.body.includes(IDENTITY)));
});

test("an empty identity token is not credentials", async () => {
  const client = new RegistryClient("registry.example.com/a", { fetch: fakeFetch(bearerPing("https://auth.example.com/token")).fetch, auth: { identityToken: "" } });
  await assert.rejects(client.headBlob(DIGEST), TypeError);
});

describe("docker-registry with token auth, pushed to with an identity token", () => {
  let registry: RunningRegistry;
  before(async () => {
    // Tokens live 1 s: a push that pauses longer needs a new one.
    registry = await startRegistry({ auth: "token", tokenTtlSeconds: 1 });
  });
  after(async () => {
    await registry?.stop();
  });

  // The global fetch, with every request to the token realm recorded.
  function recordingRealm(): { fetch: typeof fetch; grants: URLSearchParams[]; methods: string[] } {
    const grants: URLSearchParams[] = [];
    const methods: string[] = [];
    const realm = registry.tokenServer!.realm;
    const recording = async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).startsWith(realm)) {
        methods.push(init?.method ?? "GET");
        grants.push(new URLSearchParams(typeof init?.body === "string" ? init.body : ""));
      }
      return fetch(input, init);
    };
    return { fetch: recording as typeof fetch, grants, methods };
  }

  test("a push, its tokens asked for with the refresh grant", async () => {
    const input = randomData(100 * 1024, 7);
    const realm = recordingRealm();
    const descriptor = await writeLayer(`${registry.host}/identity/app`, new StreamLayer(new Blob([input]).stream(), { requireTar: false }), {
      fetch: realm.fetch,
      auth: { identityToken: registry.tokenServer!.identityToken },
    });
    await assertLayerBlob(registry, "identity/app", descriptor.digest, descriptor.size, input);
    assert.ok(realm.methods.length >= 1);
    assert.ok(realm.methods.every((method) => method === "POST"));
    assert.ok(realm.grants.every((grant) => grant.get("grant_type") === "refresh_token" && grant.get("scope") === "repository:identity/app:push,pull"));
  });

  test("a refused identity token is an AuthError, and nothing is stored", async () => {
    const layer = new StreamLayer(new Blob([randomData(1024, 8)]).stream(), { requireTar: false });
    const error = await writeLayer(`${registry.host}/identity/refused`, layer, { auth: { identityToken: "not-the-identity-token" } }).catch((e: unknown) => e);
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes("not-the-identity-token"));
    const tags = await fetch(`${registry.url}/v2/identity/refused/tags/list`, { headers: { authorization: `Bearer ${registry.tokenServer!.sign("identity/refused", 300)}` } });
    assert.equal(tags.status, 404);
    await tags.body?.cancel();
  });

  test("a token that expires in the middle of a push is fetched again with the refresh grant", async () => {
    const input = randomData(512 * 1024, 9);
    const realm = recordingRealm();
    let offset = 0;
    // Half the input, then a pause longer than the token's life, then the rest.
    const source = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (offset >= input.byteLength) return controller.close();
        if (offset === input.byteLength / 2) await new Promise((resolve) => setTimeout(resolve, 1500));
        controller.enqueue(input.slice(offset, offset + 64 * 1024));
        offset += 64 * 1024;
      },
    }, { highWaterMark: 0 });
    const descriptor = await writeLayer(`${registry.host}/identity/slow`, new StreamLayer(source, { requireTar: false }), {
      fetch: realm.fetch,
      auth: { identityToken: registry.tokenServer!.identityToken },
      chunkSize: 128 * 1024,
    });
    await assertLayerBlob(registry, "identity/slow", descriptor.digest, descriptor.size, input);
    assert.ok(realm.methods.length >= 2, `token requests: ${realm.methods.length}`);
    assert.ok(realm.methods.every((method) => method === "POST"));
    assert.ok(realm.grants.every((grant) => grant.get("grant_type") === "refresh_token" && grant.get("refresh_token") === registry.tokenServer!.identityToken));
  });

  test("a token the registry refuses in the middle of an upload (401) is fetched again with the refresh grant", async () => {
    const input = randomData(512 * 1024, 10);
    const realm = recordingRealm();
    let patches = 0;
    // The second PATCH carries a token already expired by the registry's clock, as after a long pause.
    const expiring = async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === "PATCH" && ++patches === 2) {
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${registry.tokenServer!.sign("identity/refused-once", -3600)}`);
        return realm.fetch(input, { ...init, headers });
      }
      return realm.fetch(input, init);
    };
    const descriptor = await writeLayer(`${registry.host}/identity/refused-once`, new StreamLayer(new Blob([input]).stream(), { requireTar: false }), {
      fetch: expiring as typeof fetch,
      auth: { identityToken: registry.tokenServer!.identityToken },
      chunkSize: 128 * 1024,
    });
    await assertLayerBlob(registry, "identity/refused-once", descriptor.digest, descriptor.size, input);
    assert.ok(patches >= 3);
    assert.ok(realm.methods.length >= 2, `token requests: ${realm.methods.length}`);
    assert.ok(realm.methods.every((method) => method === "POST"));
  });
});
