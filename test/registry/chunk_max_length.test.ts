// A registry that states a maximum chunk length (OCI-Chunk-Max-Length, as
// Cloudflare's serverless-registry does with 100 MB): the real docker-registry
// behind a proxy of ours that adds the header to the answer that opens an
// upload session and records the size of every PATCH that passes. However
// large the chunkSize asked for, no PATCH is longer than the maximum, and the
// blob lands whole.
import assert from "node:assert/strict";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { StreamLayer, writeLayer } from "../../src/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { assertLayerBlob, openUploads, randomData } from "./_helpers.ts";

const KiB = 1024;

interface StatingProxy {
  host: string;
  /** The body length of every PATCH forwarded, in order. */
  readonly patches: number[];
  stop(): Promise<void>;
}

/** Forwards to `target`; a POST's answer carries `stated` as extra headers. */
async function startStatingProxy(target: string, stated: Record<string, string>): Promise<StatingProxy> {
  const upstream = new URL(target);
  const patches: number[] = [];
  const server: Server = createServer((request, response) => {
    let length = 0;
    request.on("data", (chunk: Buffer) => (length += chunk.length));
    request.on("end", () => {
      if (request.method === "PATCH") patches.push(length);
    });
    const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers });
    outgoing.on("error", () => response.destroy());
    outgoing.on("response", (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...(request.method === "POST" ? stated : {}) });
      answer.pipe(response);
    });
    request.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    patches,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

let registry: RunningRegistry;
before(async () => (registry = await startRegistry()));
after(() => registry?.stop());

test("chunked upload to a registry stating OCI-Chunk-Max-Length: every PATCH within it, the blob whole", async () => {
  const max = 100 * KiB;
  const proxy = await startStatingProxy(registry.url, { "oci-chunk-max-length": String(max) });
  try {
    // Random bytes do not compress: about 1 MiB of gzip, ten chunks or more.
    const input = randomData(1024 * KiB, 11);
    const layer = new StreamLayer(new Blob([input]).stream(), { requireTar: false });
    const descriptor = await writeLayer(`${proxy.host}/capped/max`, layer, { chunkSize: 8 * 1024 * KiB });
    assert.ok(proxy.patches.length >= Math.ceil(descriptor.size / max), `${proxy.patches.length} PATCHes for ${descriptor.size} bytes`);
    assert.ok(proxy.patches.every((length) => length <= max), `PATCH lengths: ${proxy.patches.join(", ")}`);
    assert.equal(proxy.patches.reduce((sum, length) => sum + length, 0), descriptor.size);
    assert.deepEqual(proxy.patches.slice(0, -1), proxy.patches.slice(0, -1).map(() => max), "every chunk but the last is the maximum");
    await assertLayerBlob(registry, "capped/max", descriptor.digest, descriptor.size, input);
    assert.deepEqual(openUploads(registry, "capped/max"), []);
  } finally {
    await proxy.stop();
  }
});

test("a minimum and a maximum stated together, as serverless-registry does: a small chunkSize is raised to the minimum, never past the maximum", async () => {
  const min = 64 * KiB;
  const max = 96 * KiB;
  const proxy = await startStatingProxy(registry.url, { "oci-chunk-min-length": String(min), "oci-chunk-max-length": String(max) });
  try {
    const input = randomData(512 * KiB, 12);
    const layer = new StreamLayer(new Blob([input]).stream(), { requireTar: false });
    const descriptor = await writeLayer(`${proxy.host}/capped/both`, layer, { chunkSize: 16 * KiB });
    assert.ok(proxy.patches.slice(0, -1).every((length) => length === min), `PATCH lengths: ${proxy.patches.join(", ")}`);
    assert.ok(proxy.patches.at(-1)! <= min);
    await assertLayerBlob(registry, "capped/both", descriptor.digest, descriptor.size, input);
  } finally {
    await proxy.stop();
  }
});

test("a minimum over the maximum (a registry contradicting itself): the maximum wins, since a chunk over it is refused outright", async () => {
  const proxy = await startStatingProxy(registry.url, { "oci-chunk-min-length": String(200 * KiB), "oci-chunk-max-length": String(100 * KiB) });
  try {
    const input = randomData(512 * KiB, 13);
    const layer = new StreamLayer(new Blob([input]).stream(), { requireTar: false });
    const descriptor = await writeLayer(`${proxy.host}/capped/contradiction`, layer, { chunkSize: 150 * KiB });
    assert.ok(proxy.patches.every((length) => length <= 100 * KiB), `PATCH lengths: ${proxy.patches.join(", ")}`);
    await assertLayerBlob(registry, "capped/contradiction", descriptor.digest, descriptor.size, input);
  } finally {
    await proxy.stop();
  }
});
