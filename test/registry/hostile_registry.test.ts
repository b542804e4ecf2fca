// A hostile registry of our own (a small node:http server on 127.0.0.1),
// reached through the normal client: bodies of 200 MiB where a registry should
// send a few bytes (memory must stay flat), and answers that never come or
// trickle (the push or pull must end with TimeoutError, not hang).
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { AuthError, appendLayers, blobLayer, emptyImage, pullImage, RegistryError, StreamLayer, TimeoutError, writeImage, writeLayer } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { DEFAULT_TIMEOUT_MS } from "../../src/registry/_timeout_fetch.ts";

const MiB = 1024 * 1024;
const HUGE = 200 * MiB;
const RSS_LIMIT = 64 * MiB;
const TIMEOUT = 500;
// The node:test limit on each timeout case: the configured timeout plus a few seconds.
const WITHIN = { timeout: TIMEOUT + 4500 };

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

interface Hostile {
  host: string;
  /** Requests seen: `METHOD /path`. */
  seen: string[];
  stop(): Promise<void>;
}

const servers: Hostile[] = [];
after(() => Promise.all(servers.map((server) => server.stop())));

async function hostile(handler: Handler): Promise<Hostile> {
  const seen: string[] = [];
  const timers = new Set<ReturnType<typeof setInterval>>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    seen.push(`${request.method} ${url.pathname}`);
    handler(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const running: Hostile = {
    host: `127.0.0.1:${port}`,
    seen,
    stop: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearInterval(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  servers.push(running);
  return running;
}

/** Writes `total` bytes of `fill` in 64 KiB pieces, as fast as the client takes them, until the client goes. */
function hugeBody(response: ServerResponse, total = HUGE, fill = 0x20): void {
  const piece = Buffer.alloc(64 * 1024, fill);
  let sent = 0;
  const write = (): void => {
    while (sent < total && !response.destroyed) {
      sent += piece.length;
      if (!response.write(piece)) {
        response.once("drain", write);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  write();
}

/** Sends the headers, then one byte every 100 ms, for ever (until the client goes). */
function trickle(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.flushHeaders();
  const timer = setInterval(() => {
    if (response.destroyed) clearInterval(timer);
    else response.write(" ");
  }, 100);
  response.on("close", () => clearInterval(timer));
}

/** Consumes the request body and never answers. */
function never(request: IncomingMessage): void {
  request.resume();
}

/** Peak RSS growth while `run` runs, sampled every 5 ms. */
async function rssGrowth(run: () => Promise<unknown>): Promise<{ growth: number; outcome: unknown }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  let outcome: unknown;
  try {
    outcome = await run().then(() => "fulfilled", (error: unknown) => error);
  } finally {
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  return { growth: peak - base, outcome };
}

const ok = (response: ServerResponse, status = 200, headers: Record<string, string> = {}) => {
  response.writeHead(status, headers);
  response.end();
};
const pingOk: Handler = (_request, response, url) => (url.pathname === "/v2/" ? ok(response) : undefined);

describe("bodies the registry controls are read with limits: memory stays flat", () => {
  test("a 200 MiB error body: the error carries the status, and no more than 64 KiB is read", async (t) => {
    const server = await hostile((request, response, url) => {
      if (url.pathname === "/v2/") return ok(response);
      response.writeHead(404, { "content-type": "application/json" });
      hugeBody(response);
    });
    const client = new RegistryClient(`${server.host}/app`);
    const { growth, outcome } = await rssGrowth(() => client.getManifest("latest"));
    assert.ok(outcome instanceof RegistryError && outcome.status === 404, String(outcome));
    t.diagnostic(`peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < RSS_LIMIT, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });

  test("a 200 MiB token answer: an AuthError, and no more than 1 MiB is read", async (t) => {
    let realm = "";
    const server = await hostile((_request, response, url) => {
      if (url.pathname === "/v2/") return ok(response, 401, { "www-authenticate": `Bearer realm="${realm}",service="hostile"` });
      if (url.pathname === "/token") {
        response.writeHead(200, { "content-type": "application/json" });
        return hugeBody(response);
      }
      ok(response, 404);
    });
    realm = `http://${server.host}/token`;
    const client = new RegistryClient(`${server.host}/app`);
    const { growth, outcome } = await rssGrowth(() => client.headBlob(`sha256:${"0".repeat(64)}`));
    assert.ok(outcome instanceof AuthError && /larger than 1 MiB/.test(outcome.message), String(outcome));
    t.diagnostic(`peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < RSS_LIMIT, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });

  for (const announced of [false, true]) {
    test(`a 200 MiB manifest${announced ? " with its Content-Length" : ""}: a RegistryError, not an untyped TypeError`, async (t) => {
      const server = await hostile((_request, response, url) => {
        if (url.pathname === "/v2/") return ok(response);
        response.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", ...(announced ? { "content-length": String(HUGE) } : {}) });
        hugeBody(response);
      });
      const { growth, outcome } = await rssGrowth(() => pullImage(`${server.host}/app:1`));
      assert.ok(outcome instanceof RegistryError && /larger than 4 MiB/.test(outcome.message) && !outcome.temporary, String(outcome));
      t.diagnostic(`peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < RSS_LIMIT, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    });
  }

  test("a 200 MiB config: a RegistryError", async (t) => {
    const digest = `sha256:${"c".repeat(64)}`;
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest, size: HUGE }, layers: [],
    });
    const server = await hostile((_request, response, url) => {
      if (url.pathname === "/v2/") return ok(response);
      if (url.pathname.includes("/manifests/")) {
        response.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
        return void response.end(manifest);
      }
      response.writeHead(200, { "content-type": "application/octet-stream" });
      hugeBody(response, HUGE, 0x7b);
    });
    const { growth, outcome } = await rssGrowth(() => pullImage(`${server.host}/app:1`));
    assert.ok(outcome instanceof RegistryError && /larger than 4 MiB/.test(outcome.message), String(outcome));
    t.diagnostic(`peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < RSS_LIMIT, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });
});

describe("no hang without a signal: the timeout option", () => {
  const assertTimeout = (error: unknown) => {
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.code, "TIMEOUT");
    assert.equal(error.temporary, true);
    assert.equal(error.timeout, TIMEOUT);
    return true;
  };
  const streaming = () => new StreamLayer(new Blob([new Uint8Array(100_000).fill(7)]).stream(), { requireTar: false });

  test("a /v2/ ping that is never answered", WITHIN, async () => {
    const server = await hostile((request) => never(request));
    await assert.rejects(writeLayer(`${server.host}/app`, blobLayer(new Uint8Array([1, 2, 3])), { timeout: TIMEOUT }), assertTimeout);
    assert.deepEqual(server.seen, ["GET /v2/"], "a timed-out ping is not asked again");
  });

  test("a PATCH that is never answered: a TimeoutError, not another try, and the session deleted", WITHIN, async () => {
    const server = await hostile((request, response, url) => {
      if (url.pathname === "/v2/") return ok(response);
      if (request.method === "POST") return ok(response, 202, { location: "/v2/app/blobs/uploads/1" });
      if (request.method === "PATCH") return never(request);
      request.resume();
      ok(response, 204);
    });
    await assert.rejects(writeLayer(`${server.host}/app`, streaming(), { timeout: TIMEOUT, chunkSize: 64 * 1024 }), assertTimeout);
    assert.deepEqual(server.seen.filter((s) => s.startsWith("PATCH")), ["PATCH /v2/app/blobs/uploads/1"]);
    assert.equal(server.seen.at(-1), "DELETE /v2/app/blobs/uploads/1");
  });

  test("writeImage: a PATCH that is never answered", WITHIN, async () => {
    const server = await hostile((request, response, url) => {
      if (url.pathname === "/v2/") return ok(response);
      if (request.method === "HEAD") return ok(response, 404);
      if (request.method === "POST") return ok(response, 202, { location: "/v2/app/blobs/uploads/1" });
      if (request.method === "PATCH") return never(request);
      request.resume();
      ok(response, 204);
    });
    await assert.rejects(writeImage(`${server.host}/app:1`, appendLayers(emptyImage(), streaming()), { timeout: TIMEOUT }), assertTimeout);
  });

  test("a PATCH answered with an error body that trickles a byte every 100 ms", WITHIN, async () => {
    const server = await hostile((request, response, url) => {
      if (url.pathname === "/v2/") return ok(response);
      if (request.method === "POST") return ok(response, 202, { location: "/v2/app/blobs/uploads/1" });
      request.resume();
      if (request.method === "PATCH") return request.on("end", () => trickle(response, 500));
      ok(response, 204);
    });
    await assert.rejects(writeLayer(`${server.host}/app`, streaming(), { timeout: TIMEOUT }), assertTimeout);
  });

  test("a /v2/ ping answered with an error body that trickles", WITHIN, async () => {
    const server = await hostile((_request, response) => trickle(response, 503));
    await assert.rejects(new RegistryClient(`${server.host}/app`, { timeout: TIMEOUT }).headBlob(`sha256:${"0".repeat(64)}`), assertTimeout);
  });

  test("a token answer that trickles", WITHIN, async () => {
    let realm = "";
    const server = await hostile((_request, response, url) => {
      if (url.pathname === "/v2/") return ok(response, 401, { "www-authenticate": `Bearer realm="${realm}",service="hostile"` });
      if (url.pathname === "/token") return trickle(response, 200);
      ok(response, 404);
    });
    realm = `http://${server.host}/token`;
    await assert.rejects(writeLayer(`${server.host}/app`, blobLayer(new Uint8Array([1])), { timeout: TIMEOUT }), assertTimeout);
  });

  test("a manifest that trickles", WITHIN, async () => {
    const server = await hostile((_request, response, url) => {
      if (url.pathname === "/v2/") return ok(response);
      trickle(response, 200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
    });
    await assert.rejects(pullImage(`${server.host}/app:1`, { timeout: TIMEOUT }), assertTimeout);
  });

  test("a timeout that is neither false nor a positive number is refused at once", () => {
    for (const timeout of [0, -1, Number.NaN, "5" as unknown as number]) {
      assert.throws(() => new RegistryClient("127.0.0.1:5000/app", { timeout }), RangeError, String(timeout));
    }
    assert.ok(new RegistryClient("127.0.0.1:5000/app", { timeout: false }));
    assert.equal(DEFAULT_TIMEOUT_MS, 60_000);
  });
});

test("small bodies are read to their end, not cancelled (a cancelled body shows as a failed request in DevTools)", async () => {
  const cancelled: string[] = [];
  const withBody = (request: Request, status: number, headers: Record<string, string> = {}) => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{}"));
        controller.close();
      },
      cancel: () => void cancelled.push(`${request.method} ${new URL(request.url).pathname}`),
    });
    return new Response(body, { status, headers });
  };
  const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path === "/v2/") return withBody(request, 200);
    if (request.method === "HEAD") return new Response(null, { status: 404 });
    if (request.method === "POST") return withBody(request, 202, { location: "/v2/app/blobs/uploads/1" });
    if (request.method === "PATCH") return withBody(request, 202, { location: "/v2/app/blobs/uploads/2", range: "0-2" });
    return withBody(request, 201);
  }) as typeof fetch;
  await writeLayer("registry.example.com/app", blobLayer(new Uint8Array([1, 2, 3])), { fetch: fakeFetch });
  assert.deepEqual(cancelled, []);
});
