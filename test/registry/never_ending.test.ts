// Every operation ends, typed, within the timeout plus a few seconds, against
// a hostile registry of our own: a streamed PATCH answered 202 before its body
// was read and then cut; a blob that trickles; a PATCH of an 8 MiB chunk read
// but never answered; a blob or manifest body cut short. The bounds are hang
// detectors (the old code took minutes or for ever), not speed tests.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createHash } from "node:crypto";
import { type Layer, RegistryError, StreamLayer, TimeoutError, UploadNotResumableError, writeLayer } from "../../src/index.ts";
import { OCI_LAYER_GZIP, RegistryClient, RemoteLayer } from "../../src/registry/index.ts";
import { collect } from "../support/bytes.ts";
import { answer, hostile, type Hostile, trickle } from "./_hostile.ts";
import { randomData, recordingSource } from "./_helpers.ts";

const MiB = 1024 * 1024;
const TIMEOUT = 2000;
// The old code: 2 s + 8 × 2 s for an 8 MiB chunk, or never. Within this, it ended because of the timeout.
const WITHIN = TIMEOUT + 4000;
const descriptor = { mediaType: OCI_LAYER_GZIP, digest: `sha256:${"a".repeat(64)}`, size: 1 * MiB };

const servers: Hostile[] = [];
after(() => Promise.all(servers.map((server) => server.stop())));
async function registry(handler: Parameters<typeof hostile>[0]): Promise<Hostile> {
  const server = await hostile(handler);
  servers.push(server);
  return server;
}

/** Runs `operation`, and returns its rejection and how long it took; fails if it fulfils. */
async function timed(operation: () => Promise<unknown>): Promise<{ error: unknown; elapsed: number }> {
  const started = Date.now();
  const error = await operation().then(() => assert.fail("expected a failure"), (e: unknown) => e);
  return { error, elapsed: Date.now() - started };
}

describe("operations that used to never end", { timeout: 60_000 }, () => {
  test("a streamed PATCH answered 202 before its body was read, then cut: typed, the source cancelled, the session deleted", async () => {
    const server = await registry((request, response, url) => {
      if (url.pathname === "/v2/") return answer(response, 200);
      if (request.method === "POST") return answer(response, 202, { location: "/v2/app/blobs/uploads/1" });
      if (request.method === "PATCH") {
        request.pause(); // not a byte of the body read
        response.writeHead(202, { location: "/v2/app/blobs/uploads/2", range: "0-0" });
        response.end();
        setTimeout(() => request.socket.destroy(), 200);
        return;
      }
      request.resume();
      answer(response, 204);
    });
    const { stream, stats } = recordingSource(randomData(16 * MiB, 8));
    const layer = new StreamLayer(stream, { requireTar: false });
    const { error, elapsed } = await timed(() => writeLayer(`${server.host}/app`, layer, { upload: "stream", timeout: TIMEOUT }));
    assert.ok(error instanceof UploadNotResumableError, String(error));
    assert.match(error.message, /before it had read the body to its end/);
    assert.ok(stats.cancelled, "the source is cancelled");
    assert.ok(stats.pulled < 16 * MiB, "the source is not read to its end");
    assert.equal(server.seen.at(-1), "DELETE /v2/app/blobs/uploads/2", "the session is deleted on its newest URL");
    assert.ok(elapsed < WITHIN, `ended after ${elapsed} ms`);
  });

  test("a blob that trickles a byte every 100 ms: TimeoutError under the progress floor", async () => {
    const server = await registry((_request, response, url) => {
      if (url.pathname === "/v2/") return answer(response, 200);
      trickle(response, 200, { "content-type": "application/octet-stream", "content-length": String(descriptor.size) });
    });
    const layer = new RemoteLayer(new RegistryClient(`${server.host}/app`, { timeout: TIMEOUT }), descriptor, descriptor.digest);
    const { error, elapsed } = await timed(() => collect(layer.compressed()));
    assert.ok(error instanceof TimeoutError, String(error));
    assert.match(error.message, /under the floor of 1024 bytes\/s/);
    assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/v2\/app\/blobs\/sha256:a+/);
    assert.ok(elapsed < WITHIN, `ended after ${elapsed} ms`);
  });

  test("the same trickle with minSpeed: 0 is left to go on (only silence ends it); an abort stops it at once", async () => {
    const server = await registry((_request, response, url) => {
      if (url.pathname === "/v2/") return answer(response, 200);
      trickle(response, 200, { "content-type": "application/octet-stream", "content-length": String(descriptor.size) });
    });
    const controller = new AbortController();
    const layer = new RemoteLayer(new RegistryClient(`${server.host}/app`, { timeout: 500, minSpeed: 0, signal: controller.signal }), descriptor, descriptor.digest);
    setTimeout(() => controller.abort(new Error("enough")), 1500);
    const { error } = await timed(() => collect(layer.compressed()));
    assert.ok(error instanceof Error && error.message === "enough", `ended by the abort, three timeouts later: ${String(error)}`);
  });

  test("a PATCH of an 8 MiB chunk read but never answered: TimeoutError within the timeout, the session deleted", async () => {
    let received = 0;
    const server = await registry((request, response, url) => {
      if (url.pathname === "/v2/") return answer(response, 200);
      if (request.method === "POST") return answer(response, 202, { location: "/v2/app/blobs/uploads/1" });
      if (request.method === "PATCH") return void request.on("data", (chunk: Buffer) => (received += chunk.length));
      request.resume();
      answer(response, 204);
    });
    const layer = new StreamLayer(new Blob([randomData(9 * MiB, 2)]).stream(), { requireTar: false });
    const { error, elapsed } = await timed(() => writeLayer(`${server.host}/app`, layer, { timeout: TIMEOUT, chunkSize: 8 * MiB }));
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(received, 8 * MiB, "the registry read the whole chunk");
    assert.equal(server.seen.at(-1), "DELETE /v2/app/blobs/uploads/1");
    assert.ok(elapsed < WITHIN, `ended after ${elapsed} ms`);
  });

  test("a streamed PATCH whose body is taken slower than minSpeed: TimeoutError under the floor, the source cancelled", async () => {
    // A fetch of our own that takes the body 64 KiB every 300 ms (about 213 KiB/s), as a registry behind a
    // slow link would: a real socket's buffers make the pace too coarse to test the floor with.
    let taken = 0;
    const slowFetch: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      if (path === "/v2/") return new Response(null, { status: 200 });
      if (request.method === "POST") return new Response(null, { status: 202, headers: { location: "/v2/app/blobs/uploads/1" } });
      if (request.method === "HEAD") return new Response(null, { status: 404 });
      if (request.method !== "PATCH") return new Response(null, { status: 204 });
      const reader = request.body!.getReader();
      for (;;) {
        init?.signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) return new Response(null, { status: 202, headers: { range: `0-${taken - 1}` } });
        taken += value.byteLength;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    };
    // A layer of our own, whose blob comes in 64 KiB pieces, so that the pace is even.
    const bytes = randomData(16 * MiB, 6);
    const { stream, stats } = recordingSource(bytes, 64 * 1024);
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const layer: Layer = { mediaType: () => OCI_LAYER_GZIP, compressed: () => stream, digest: async () => digest, diffID: async () => digest, size: async () => bytes.byteLength };
    const { error, elapsed } = await timed(() => writeLayer("registry.example.com/app", layer, { fetch: slowFetch, upload: "stream", timeout: TIMEOUT, minSpeed: MiB }));
    assert.ok(error instanceof UploadNotResumableError && error.cause instanceof TimeoutError, String(error));
    assert.match(error.cause.message, /under the floor of 1048576 bytes\/s/);
    assert.ok(taken > 0 && taken < 16 * MiB, `${taken} bytes taken`);
    assert.ok(stats.cancelled, "the source is cancelled");
    assert.ok(elapsed < WITHIN, `ended after ${elapsed} ms`);
  });

  for (const what of ["blob", "manifest"] as const) {
    test(`a ${what} body cut short: a temporary RegistryError naming the request, not TypeError: terminated`, async () => {
      const server = await registry((_request, response, url) => {
        if (url.pathname === "/v2/") return answer(response, 200);
        const type = what === "blob" ? "application/octet-stream" : "application/vnd.oci.image.manifest.v1+json";
        response.writeHead(200, { "content-type": type, "content-length": String(100_000) });
        response.write(Buffer.alloc(40_000, 0x20));
        setTimeout(() => response.socket?.destroy(), 50);
      });
      const client = new RegistryClient(`${server.host}/app`, { timeout: TIMEOUT });
      const read = what === "blob" ? () => collect(new RemoteLayer(client, { ...descriptor, size: 100_000 }, descriptor.digest).compressed()) : () => client.getManifest("1");
      const { error, elapsed } = await timed(read);
      assert.ok(error instanceof RegistryError && !(error instanceof TimeoutError), String(error));
      assert.equal(error.temporary, true);
      assert.equal(error.status, 200);
      assert.match(error.message, new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/v2/app/${what === "blob" ? "blobs" : "manifests"}/.*cut short`));
      assert.ok(elapsed < WITHIN, `ended after ${elapsed} ms`);
    });
  }
});
