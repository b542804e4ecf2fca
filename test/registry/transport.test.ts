// The transport's auth and redirect rules, with an injected fetch that plays
// registries on hosts that cannot exist on loopback (public names, private
// addresses of other hosts). The real registry is exercised by the other files.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { AuthError, blobLayer, DigestMismatchError, RegistryError, StreamLayer, UnsafeRedirectError, writeLayer } from "../../src/index.ts";
import { RegistryClient, Transport } from "../../src/registry/index.ts";
import { TokenCache } from "../../src/registry/_token_cache.ts";
import { bearerPing, fakeFetch, type FakeHandler } from "../support/fake_fetch.ts";


test("basic auth goes to the registry's host only, not to an upload Location on another host", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }) : undefined),
    (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location: "https://uploads.example.net/session/1?state=abc" } }) : undefined),
    (r) => (r.method === "PATCH" ? new Response(null, { status: 202, headers: { location: "https://uploads.example.net/session/1?state=def", range: r.headers.get("content-range")! } }) : undefined),
    (r) => (r.method === "PUT" ? new Response(null, { status: 201 }) : undefined),
  );
  const layer = new StreamLayer(new Blob([new Uint8Array(3)]).stream());
  await writeLayer("registry.example.com/team/app", layer, { fetch, auth: { username: "u", password: "p" }, chunkSize: 1024 });
  const expected = `Basic ${Buffer.from("u:p").toString("base64")}`;
  assert.deepEqual(seen.map((s) => [s.method, new URL(s.url).host, s.authorization]), [
    ["GET", "registry.example.com", null],
    ["POST", "registry.example.com", expected],
    ["PATCH", "uploads.example.net", null],
    ["PUT", "uploads.example.net", null],
  ]);
  assert.match(seen[3]!.url, /state=def&digest=sha256%3A[0-9a-f]{64}$/, "the PUT uses the newest Location");
});

test("bearer: one token per scope, asked with the credentials, cached, and fetched again after expiry", async () => {
  let issued = 0;
  let now = 1_000_000;
  const { fetch, seen } = fakeFetch(
    bearerPing("https://auth.example.com/token"),
    (r) => {
      if (new URL(r.url).host !== "auth.example.com") return undefined;
      issued++;
      return Response.json({ access_token: `t${issued}`, expires_in: 300 });
    },
    (r) => (r.method === "HEAD" ? new Response(null, { status: r.headers.get("authorization") === `Bearer t${issued}` ? 404 : 401 }) : undefined),
  );
  const transport = new Transport({ base: new URL("https://registry.example.com"), fetch, auth: { username: "u", password: "p" }, tokens: new TokenCache(() => now) });
  const head = () => transport.send({ method: "HEAD", url: "/v2/a/blobs/sha256:00", scopes: ["repository:a:push,pull"] });
  assert.equal((await head()).status, 404);
  assert.equal((await head()).status, 404);
  assert.equal(issued, 1, "the token is cached");
  const tokenRequest = new URL(seen.find((s) => s.url.startsWith("https://auth.example.com"))!.url);
  assert.equal(tokenRequest.searchParams.get("scope"), "repository:a:push,pull");
  assert.equal(tokenRequest.searchParams.get("service"), "reg");
  assert.equal(seen.find((s) => s.url.startsWith("https://auth.example.com"))!.authorization, `Basic ${Buffer.from("u:p").toString("base64")}`);
  now += 300_000;
  assert.equal((await head()).status, 404);
  assert.equal(issued, 2, "an expired token is fetched again");
});

test("bearer: a 401 with a cached token fetches a new one and sends the request again", async () => {
  let issued = 0;
  const { fetch } = fakeFetch(
    bearerPing("https://auth.example.com/token"),
    (r) => (new URL(r.url).host === "auth.example.com" ? Response.json({ token: `t${++issued}` }) : undefined),
    (r) => (r.headers.get("authorization") === `Bearer t${issued}` && issued >= 2 ? new Response("ok") : undefined),
    () => new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer realm="https://auth.example.com/token",service="reg",error="invalid_token"' } }),
  );
  const transport = new Transport({ base: new URL("https://registry.example.com"), fetch });
  const response = await transport.send({ method: "PATCH", url: "/v2/a/blobs/uploads/1", scopes: ["repository:a:push,pull"], body: new Uint8Array([1, 2]) });
  assert.equal(response.status, 200);
  assert.equal(issued, 2);
});

test("a ready token is sent as it is, without a token server", async () => {
  const { fetch, seen } = fakeFetch(bearerPing("https://auth.example.com/token"), () => new Response(null, { status: 404 }));
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { token: "ready" } });
  assert.equal(await client.headBlob(`sha256:${"0".repeat(64)}`), undefined);
  assert.deepEqual(seen.map((s) => s.authorization), [null, "Bearer ready"]);
});

test("the auth function is asked by registry host", async () => {
  const asked: string[] = [];
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }) : undefined),
    () => new Response(null, { status: 404 }),
  );
  const client = new RegistryClient("registry.example.com:5000/a", { fetch, auth: (host) => (asked.push(host), host === "registry.example.com:5000" ? { username: "x", password: "y" } : undefined) });
  await client.headBlob(`sha256:${"0".repeat(64)}`);
  assert.deepEqual(asked, ["registry.example.com:5000"]);
  assert.equal(seen[1]!.authorization, `Basic ${Buffer.from("x:y").toString("base64")}`);
});

test("a token realm on another host's private address is refused", async () => {
  for (const realm of ["http://169.254.169.254/token", "http://127.0.0.1:8080/token", "http://[::1]/token", "http://10.1.2.3/token", "http://localhost/token"]) {
    const { fetch, seen } = fakeFetch(bearerPing(realm));
    const client = new RegistryClient("registry.example.com/a", { fetch, auth: { username: "u", password: "p" } });
    await assert.rejects(client.headBlob(`sha256:${"0".repeat(64)}`), UnsafeRedirectError, realm);
    assert.ok(seen.every((s) => new URL(s.url).host === "registry.example.com"), "nothing sent to the realm");
  }
});

test("an upload Location or a redirect to another host's private address is refused", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 200 }) : undefined),
    (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location: "http://192.168.1.10/upload" } }) : undefined),
    (r) => (r.method === "GET" ? new Response(null, { status: 307, headers: { location: "http://172.16.0.1/blob" } }) : undefined),
  );
  const client = new RegistryClient("registry.example.com/a", { fetch });
  await assert.rejects(client.startUpload(), UnsafeRedirectError);
  await assert.rejects(client.getBlob(`sha256:${"0".repeat(64)}`), UnsafeRedirectError);
  assert.ok(seen.every((s) => new URL(s.url).host === "registry.example.com"));
});

test("a blob redirect to public storage is followed without credentials", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }) : undefined),
    (r) => (new URL(r.url).host === "registry.example.com" ? new Response(null, { status: 307, headers: { location: "https://storage.example.org/blob?sig=secret" } }) : undefined),
    () => new Response("blob-bytes"),
  );
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { username: "u", password: "p" } });
  const digest = `sha256:${createHash("sha256").update("blob-bytes").digest("hex")}`;
  const text = await new Response(await client.getBlob(digest)).text();
  assert.equal(text, "blob-bytes");
  assert.equal(seen.at(-1)!.authorization, null);
  assert.equal(new URL(seen.at(-1)!.url).host, "storage.example.org");
});

test("a token server that refuses gives an AuthError without the password in its message", async () => {
  const { fetch } = fakeFetch(bearerPing("https://auth.example.com/token"), () => new Response('{"details":"no"}', { status: 401 }));
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { username: "u", password: "hunter2" } });
  const error = await client.headBlob(`sha256:${"0".repeat(64)}`).catch((e: unknown) => e);
  assert.ok(error instanceof AuthError);
  assert.equal(error.status, 401);
  assert.equal(error.code, "AUTH");
  assert.doesNotMatch(error.message, /hunter2|scope=/);
});

test("a registry that keeps confirming fewer bytes than sent ends in a typed error, not a loop", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 200 }) : undefined),
    (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1" } }) : undefined),
    (r) => (r.method === "PATCH" ? new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1", range: "0-1" } }) : undefined),
    (r) => (r.method === "DELETE" ? new Response(null, { status: 204 }) : undefined),
  );
  const layer = new StreamLayer(new Blob([new Uint8Array(100)]).stream());
  await assert.rejects(writeLayer("registry.example.com/a", layer, { fetch }), { code: "UPLOAD_NOT_RESUMABLE" });
  assert.equal(seen.filter((s) => s.method === "PATCH").length, 5);
  assert.equal(seen.at(-1)!.method, "DELETE");
});

test("a registry whose ping is anonymous but whose push asks for basic auth gets the credentials on the retry", async () => {
  const expected = `Basic ${Buffer.from("u:p").toString("base64")}`;
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 200 }) : undefined),
    (r) => (r.headers.get("authorization") === expected ? new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1" } }) : undefined),
    () => new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="push"' } }),
  );
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { username: "u", password: "p" } });
  const session = await client.startUpload();
  assert.equal(session.location.pathname, "/v2/a/blobs/uploads/1");
  assert.deepEqual(seen.map((s) => s.authorization), [null, null, expected]);
  const wrong = new RegistryClient("registry.example.com/a", { fetch, auth: { username: "u", password: "wrong" } });
  await assert.rejects(wrong.startUpload(), AuthError, "a refused password is not sent in a loop");
});

test("chunked upload honours OCI-Chunk-Min-Length and accepts 201 on a PATCH, as Amazon ECR answers", async () => {
  const patches: number[] = [];
  const { fetch } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 200 }) : undefined),
    (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1", "oci-chunk-min-length": "2048" } }) : undefined),
    (r) => {
      if (r.method !== "PATCH") return undefined;
      patches.push(Number(r.headers.get("content-length")));
      return new Response(null, { status: 201, headers: { location: "/v2/a/blobs/uploads/1", range: `0-${r.headers.get("content-range")!.split("-")[1]}` } });
    },
    (r) => (r.method === "PUT" ? new Response(null, { status: 201 }) : undefined),
  );
  const bytes = new Uint8Array(5000).map((_, i) => i);
  const descriptor = await writeLayer("registry.example.com/a", blobLayer(bytes), { fetch, chunkSize: 1000 });
  assert.equal(descriptor.size, 5000);
  assert.deepEqual(patches, [2048, 2048, 904]);
});

test("a registry that reports another digest on the final PUT gives a DigestMismatchError, and the session is deleted", async () => {
  const other = `sha256:${"f".repeat(64)}`;
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 200 }) : undefined),
    (r) => (r.method === "POST" || r.method === "PATCH" ? new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/1" } }) : undefined),
    (r) => (r.method === "PUT" ? new Response(null, { status: 201, headers: { "docker-content-digest": other } }) : undefined),
    (r) => (r.method === "DELETE" ? new Response(null, { status: 204 }) : undefined),
  );
  const error = await writeLayer("registry.example.com/a", new StreamLayer(new Blob([new Uint8Array(1024)]).stream()), { fetch }).catch((e: unknown) => e);
  assert.ok(error instanceof DigestMismatchError);
  assert.equal(error.actual, other);
  assert.match(error.expected, /^sha256:[0-9a-f]{64}$/);
  assert.equal(seen.at(-1)!.method, "DELETE");
});

test("a 401 from an upload Location on another host sends no credentials to the realm it names", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }) : undefined),
    (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location: "https://uploads.example.net/session/1" } }) : undefined),
    (r) => (new URL(r.url).host === "uploads.example.net" && r.method === "PATCH"
      ? new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer realm="https://collector.example.org/token",service="x"' } })
      : undefined),
    (r) => (r.method === "DELETE" ? new Response(null, { status: 204 }) : undefined),
  );
  const layer = new StreamLayer(new Blob([new Uint8Array(3)]).stream());
  const error = await writeLayer("registry.example.com/a", layer, { fetch, auth: { username: "u", password: "p" } }).catch((e: unknown) => e);
  assert.deepEqual(seen.filter((s) => new URL(s.url).host !== "registry.example.com").map((s) => [s.method, new URL(s.url).host, s.authorization]), [
    ["PATCH", "uploads.example.net", null],
    ["DELETE", "uploads.example.net", null],
  ]);
  assert.ok(error instanceof AuthError);
  assert.equal(error.status, 401);
});

test("an HTTPS registry's upload Location on plain HTTP, even on its own host, is refused: nothing crosses in the clear", async () => {
  const { fetch, seen } = fakeFetch(
    (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }) : undefined),
    (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location: "http://registry.example.com/v2/a/blobs/uploads/1" } }) : undefined),
    (r) => (r.method === "PATCH" ? new Response(null, { status: 202, headers: { location: "http://registry.example.com/v2/a/blobs/uploads/1", range: "0-2" } }) : undefined),
    (r) => (r.method === "PUT" ? new Response(null, { status: 201 }) : undefined),
  );
  const layer = blobLayer(new Uint8Array([1, 2, 3]));
  await assert.rejects(writeLayer("registry.example.com/a", layer, { fetch, auth: { username: "u", password: "p" } }), UnsafeRedirectError);
  assert.deepEqual(seen.filter((s) => s.url.startsWith("http:")), [], "no request over plain HTTP");
});

test("an upload Location on an IPv4-mapped IPv6 private address is refused, as URL spells it in hex", async () => {
  for (const location of ["http://[::ffff:169.254.169.254]/upload", "http://[::ffff:10.0.0.1]/upload", "http://[::ffff:127.0.0.1]/upload"]) {
    const { fetch, seen } = fakeFetch(
      (r) => (new URL(r.url).pathname === "/v2/" ? new Response(null, { status: 200 }) : undefined),
      (r) => (r.method === "POST" ? new Response(null, { status: 202, headers: { location } }) : undefined),
    );
    await assert.rejects(new RegistryClient("registry.example.com/a", { fetch }).startUpload(), UnsafeRedirectError, location);
    assert.ok(seen.every((s) => new URL(s.url).host === "registry.example.com"));
  }
});

test("a network failure whose message repeats the URL (as Deno's does) keeps the query out of the error", async () => {
  const fetch = (async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.pathname === "/v2/") return new Response(null, { status: 200 });
    throw new TypeError(`error sending request for url (${url.href}): connection closed before message completed`);
  }) as typeof globalThis.fetch;
  const transport = new Transport({ base: new URL("https://registry.example.com"), fetch });
  const error = await transport.send({ method: "PATCH", url: "/v2/a/blobs/uploads/1?_state=s3cr3t&X-Amz-Signature=abc", scopes: [], body: new Uint8Array([1]) }).catch((e: unknown) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.status, undefined);
  assert.match(error.message, /connection closed before message completed/);
  assert.match(error.message, /https:\/\/registry\.example\.com\/v2\/a\/blobs\/uploads\/1/);
  assert.doesNotMatch(error.message, /s3cr3t|Signature/);
});

test("a token realm's redirect: refused to another host's private address; followed elsewhere without the credentials", async () => {
  const realm = (location: string): FakeHandler => (r) =>
    new URL(r.url).host === "auth.example.com" ? new Response(null, { status: 302, headers: { location } }) : undefined;
  const unsafe = fakeFetch(bearerPing("https://auth.example.com/token"), realm("http://169.254.169.254/latest/meta-data/"));
  const client = new RegistryClient("registry.example.com/a", { fetch: unsafe.fetch, auth: { username: "u", password: "p" } });
  await assert.rejects(client.headBlob(`sha256:${"0".repeat(64)}`), UnsafeRedirectError);
  assert.ok(unsafe.seen.every((s) => new URL(s.url).hostname !== "169.254.169.254"), "nothing sent to the private address");

  const moved = fakeFetch(
    bearerPing("https://auth.example.com/token"),
    realm("https://tokens.example.org/v2/token?service=reg"),
    (r) => (new URL(r.url).host === "tokens.example.org" ? Response.json({ token: "t" }) : undefined),
    (r) => (r.headers.get("authorization") === "Bearer t" ? new Response(null, { status: 404 }) : undefined),
  );
  const other = new RegistryClient("registry.example.com/a", { fetch: moved.fetch, auth: { username: "u", password: "p" } });
  assert.equal(await other.headBlob(`sha256:${"0".repeat(64)}`), undefined);
  assert.deepEqual(moved.seen.filter((s) => new URL(s.url).host !== "registry.example.com").map((s) => [new URL(s.url).host, s.authorization !== null]), [
    ["auth.example.com", true],
    ["tokens.example.org", false],
  ]);
});

test("an HTTPS registry's plain-HTTP token realm gets no credentials; anonymous tokens are still fetched from it", async () => {
  const realm = "http://auth.registry.example.com/token";
  const { fetch, seen } = fakeFetch(bearerPing(realm), (r) =>
    new URL(r.url).host === "auth.registry.example.com" ? Response.json({ token: "anonymous-token" }) : undefined,
  );
  const client = new RegistryClient("registry.example.com/a", { fetch, auth: { username: "u", password: "p" } });
  await assert.rejects(client.headBlob(`sha256:${"0".repeat(64)}`), (error) => error instanceof AuthError && /plain-HTTP token realm/.test(error.message));
  assert.ok(seen.every((s) => new URL(s.url).host === "registry.example.com"), "the password was not sent to the realm");

  const anonymous = fakeFetch(bearerPing(realm), (r) =>
    new URL(r.url).host === "auth.registry.example.com" ? Response.json({ token: "anonymous-token" }) : undefined,
  );
  await new RegistryClient("registry.example.com/a", { fetch: anonymous.fetch }).headBlob(`sha256:${"0".repeat(64)}`);
  assert.ok(anonymous.seen.some((s) => new URL(s.url).host === "auth.registry.example.com" && s.authorization === null));
  assert.ok(anonymous.seen.some((s) => s.authorization === "Bearer anonymous-token"));
});
