// Where a public registry may send the client: every spelling of a private
// address, for an upload Location, a redirect, a token realm and a realm's
// redirect. The registry looks public (registry.example.com over HTTPS)
// through an injected fetch, so the rule for public registries is the one tested.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { RegistryError, UnsafeRedirectError } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { isLocalHost, isPrivateAddress } from "../../src/registry/_address.ts";

const REGISTRY = "registry.example.com";
const DIGEST = `sha256:${"0".repeat(64)}`;
// What the storage serves on a redirect, and its digest: a blob read is checked against it.
const BLOB = "blob";
const BLOB_DIGEST = `sha256:${createHash("sha256").update(BLOB).digest("hex")}`;

const PRIVATE_HOSTS = [
  "localhost.", "foo.localhost.", "localhost", "app.localhost", "metadata.google.internal", "printer.local",
  "[::7f00:1]", "[::a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[64:ff9b::7f00:1]", "[64:ff9b:1::a00:1]", "[2002:7f00:1::]", "[2002:a9fe:a9fe::1]",
  "[::ffff:0:7f00:1]", "[::ffff:0:a9fe:a9fe]", "[::ffff:7f00:1]", "[::ffff:169.254.169.254]", "[::1]", "[::]", "[0:0:0:0:0:0:0:1]",
  "[fec0::1]", "[fe80::1]", "[fd00::1]", "[ff02::1]", "[2001:db8::1]", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
  "198.18.0.1", "198.19.255.254", "240.0.0.1", "250.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255",
  "127.0.0.1", "127.1", "0x7f.1", "2130706433", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
  "192.0.0.1", "192.0.2.1", "198.51.100.1", "203.0.113.1",
];
const PUBLIC_HOSTS = ["storage.example.org", "8.8.8.8", "[2001:4860:4860::8888]", "[::ffff:808:808]", "[64:ff9b::808:808]", "[2002:808:808::1]", "198.20.0.1", "223.255.255.254"];

interface Seen {
  method: string;
  url: string;
}

/** A registry on registry.example.com whose answers the test writes; everything it is asked is recorded. */
function registry(answer: (request: Request) => Response | undefined): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push({ method: request.method, url: request.url });
    return answer(request) ?? new Response("{}", { status: 404 });
  };
  return { fetch: fake as typeof fetch, seen };
}

const onRegistry = (seen: Seen[]) => seen.every((s) => new URL(s.url).hostname === REGISTRY);
const ping = (request: Request, realm?: string) =>
  new URL(request.url).pathname === "/v2/"
    ? realm === undefined
      ? new Response(null, { status: 200 })
      : new Response(null, { status: 401, headers: { "www-authenticate": `Bearer realm="${realm}",service="reg"` } })
    : undefined;

/** The four ways a registry names a URL for the client, each run with `target`. */
const channels: Record<string, (target: string) => { run: (client: RegistryClient) => Promise<unknown>; fetch: typeof fetch; seen: Seen[] }> = {
  "upload Location": (target) => {
    const fake = registry((r) => ping(r) ?? new Response(null, { status: 202, headers: r.method === "POST" ? { location: target } : { range: "0-0" } }));
    return { ...fake, run: async (client) => (await client.startUpload()).patch(new Uint8Array([1]), 0) };
  },
  redirect: (target) => {
    const fake = registry((r) => ping(r) ?? (new URL(r.url).hostname === REGISTRY ? new Response(null, { status: 307, headers: { location: target } }) : new Response(BLOB)));
    return { ...fake, run: async (client) => new Response(await client.getBlob(BLOB_DIGEST)).text() };
  },
  "token realm": (target) => {
    const fake = registry((r) => ping(r, target) ?? (new URL(r.url).hostname !== REGISTRY ? Response.json({ token: "t" }) : new Response(null, { status: 404 })));
    return { ...fake, run: (client) => client.headBlob(DIGEST) };
  },
  "token realm's redirect": (target) => {
    const fake = registry((r) => {
      const host = new URL(r.url).hostname;
      if (host === REGISTRY) return ping(r, "https://auth.example.com/token") ?? new Response(null, { status: 404 });
      if (host === "auth.example.com") return new Response(null, { status: 302, headers: { location: target } });
      return Response.json({ token: "t" });
    });
    return { ...fake, run: (client) => client.headBlob(DIGEST) };
  },
};

const client = (fakeFetch: typeof fetch) => new RegistryClient(`${REGISTRY}/team/app`, { fetch: fakeFetch, auth: { username: "u", password: "p" } });

test("every spelling of a private address is refused for a Location, a redirect, a realm and a realm's redirect, and nothing reaches it", async () => {
  for (const [channel, make] of Object.entries(channels)) {
    for (const host of PRIVATE_HOSTS) {
      const target = `https://${host}/x`;
      const { run, fetch, seen } = make(target);
      const error = await run(client(fetch)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof UnsafeRedirectError, `${channel} ${target}: ${String(error)}`);
      assert.equal(error.code, "UNSAFE_REDIRECT");
      const reached = seen.filter((s) => !["auth.example.com", REGISTRY].includes(new URL(s.url).hostname));
      assert.deepEqual(reached, [], `${channel} ${target}`);
    }
  }
});

test("public addresses, IPv4 translations of public ones among them, are still followed", async () => {
  for (const [channel, make] of Object.entries(channels)) {
    for (const host of PUBLIC_HOSTS) {
      const { run, fetch, seen } = make(`https://${host}/x`);
      await run(client(fetch)).catch((error: unknown) => assert.fail(`${channel} ${host}: ${String(error)}`));
      assert.ok(seen.some((s) => new URL(s.url).host === host), `${channel} ${host} was reached`);
    }
  }
});

test("a realm or Location whose scheme is not HTTP(S) is refused before anything is sent to it", async () => {
  for (const [channel, make] of Object.entries(channels)) {
    for (const target of ["file:///etc/passwd", 'data:application/json,{"token":"t"}', "javascript:alert(1)", "ftp://auth.example.com/token"]) {
      const { run, fetch, seen } = make(target);
      const error = await run(client(fetch)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof UnsafeRedirectError, `${channel} ${target}: ${String(error)}`);
      assert.match(error.message, /scheme other than HTTP\(S\)/);
      assert.ok(seen.every((s) => s.url.startsWith("https:")), `${channel} ${target}`);
    }
  }
});

test("a Location or redirect never goes from HTTPS down to plain HTTP", async () => {
  for (const channel of ["upload Location", "redirect", "token realm's redirect"]) {
    for (const target of [`http://${REGISTRY}/x`, "http://storage.example.org/x"]) {
      const { run, fetch, seen } = channels[channel]!(target);
      const error = await run(client(fetch)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof UnsafeRedirectError, `${channel} ${target}: ${String(error)}`);
      assert.match(error.message, /plain HTTP from HTTPS/);
      assert.ok(seen.every((s) => s.url.startsWith("https:")), `${channel} ${target}`);
    }
  }
});

test("a malformed Location ends in a RegistryError, not a TypeError", async () => {
  for (const [channel, make] of Object.entries(channels)) {
    if (channel === "token realm") continue; // a realm that is not a URL is an AuthError already
    for (const target of ["http://[::1", "https://a b/", "https://[fe80::1%25eth0]/x", "https://[fe80::1%eth0]/x", "https://registry.example.com:99999/x"]) {
      const { run, fetch } = make(target);
      const error = await run(client(fetch)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof RegistryError, `${channel} ${target}: ${String(error)}`);
      assert.match(error.message, /Location header is not a valid URL/);
    }
  }
});

test("a malformed Location on a PATCH ends in a RegistryError", async () => {
  const { fetch } = registry((r) =>
    ping(r) ??
    (r.method === "POST" ? new Response(null, { status: 202, headers: { location: `https://${REGISTRY}/v2/team/app/blobs/uploads/1` } }) : undefined) ??
    (r.method === "PATCH" ? new Response(null, { status: 202, headers: { location: "https://a b/", range: "0-2" } }) : undefined) ??
    new Response(null, { status: 204 }),
  );
  const session = await client(fetch).startUpload();
  await assert.rejects(session.patch(new Uint8Array([1, 2, 3]), 0), (error) => error instanceof RegistryError && /Location header/.test(error.message));
});

test("isPrivateAddress and isLocalHost read each spelling as fetch would reach it", () => {
  for (const host of PRIVATE_HOSTS) assert.equal(isPrivateAddress(host), true, host);
  for (const host of PUBLIC_HOSTS) assert.equal(isPrivateAddress(host), false, host);
  for (const host of ["localhost", "localhost.", "a.localhost", "127.0.0.1", "127.9.9.9", "[::1]", "::1", "[::ffff:127.0.0.1]"]) assert.equal(isLocalHost(host), true, host);
  for (const host of ["10.0.0.1", "[fec0::1]", "registry.example.com", "[::]"]) assert.equal(isLocalHost(host), false, host);
});
