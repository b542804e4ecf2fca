// The small parts of the registry client: challenges, addresses, ranges,
// retry delays, progress throttling, chunking, the blob layer.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { blobLayer, type UploadProgress } from "../../src/index.ts";
import { parseWwwAuthenticate, DEFAULT_CHUNK_SIZE } from "../../src/registry/index.ts";
import { isLocalHost, isPrivateAddress } from "../../src/registry/_address.ts";
import { ChunkReader } from "../../src/registry/_chunk_reader.ts";
import { chunkSizeFor } from "../../src/registry/chunk_size.ts";
import { ProgressReporter } from "../../src/registry/progress.ts";
import { retryDelay } from "../../src/registry/_retry.ts";
import { parseRange } from "../../src/registry/upload_session.ts";

test("WWW-Authenticate: Bearer with quoted commas, Basic, several challenges", () => {
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"'), [
    { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:a/b:pull,push" } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Basic realm="Registry Realm"'), [{ scheme: "basic", params: { realm: "Registry Realm" } }]);
  assert.deepEqual(parseWwwAuthenticate('Basic realm="a", Bearer realm="b", error=invalid_token'), [
    { scheme: "basic", params: { realm: "a" } },
    { scheme: "bearer", params: { realm: "b", error: "invalid_token" } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="say \\"hi\\""'), [{ scheme: "bearer", params: { realm: 'say "hi"' } }]);
  assert.deepEqual(parseWwwAuthenticate(null), []);
});

test("addresses: loopback gets plain HTTP; private, link-local and loopback are refused as other hosts", () => {
  for (const host of ["localhost", "127.0.0.1", "127.255.0.9", "::1", "[::1]", "0:0:0:0:0:0:0:1", "app.localhost", "[::ffff:7f00:1]"]) assert.ok(isLocalHost(host), host);
  for (const host of ["10.0.0.1", "192.168.0.1", "example.com", "128.0.0.1", "::2", "fe80::1"]) assert.ok(!isLocalHost(host), host);
  for (const host of ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0", "fe80::1", "fd00::1", "[fc00::2]", "::ffff:10.0.0.1", "[::ffff:a9fe:a9fe]", "::ffff:c0a8:101", "localhost", "100.64.0.1"]) {
    assert.ok(isPrivateAddress(host), host);
  }
  for (const host of ["8.8.8.8", "172.32.0.1", "registry.example.com", "2001:4860:4860::8888", "11.0.0.1", "::ffff:808:808"]) assert.ok(!isPrivateAddress(host), host);
});

test("Range headers: bytes held", () => {
  assert.deepEqual(parseRange("0-1048575"), { size: 1048576, ambiguous: false });
  assert.deepEqual(parseRange("bytes=0-9"), { size: 10, ambiguous: false });
  assert.deepEqual(parseRange("0-0"), { size: 0, ambiguous: true });
  assert.equal(parseRange(null), undefined);
  assert.equal(parseRange("5-9"), undefined);
});

test("retry delays: Retry-After in seconds or as a date, else backoff, capped", () => {
  assert.equal(retryDelay(0, "2"), 2000);
  assert.equal(retryDelay(0, new Date(10_000).toUTCString(), () => 7_000), 3000);
  assert.equal(retryDelay(0, null), 200);
  assert.equal(retryDelay(3, null), 1600);
  assert.equal(retryDelay(20, null), 30_000);
  assert.equal(retryDelay(0, "3600"), 30_000);
});

test("chunk sizes: the caller's, else a size that works on the host", () => {
  assert.equal(chunkSizeFor("ghcr.io"), 4 * 1024 * 1024);
  assert.ok(chunkSizeFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com") >= 5 * 1024 * 1024);
  assert.equal(chunkSizeFor("127.0.0.1:5000"), DEFAULT_CHUNK_SIZE);
  assert.equal(chunkSizeFor("ghcr.io", 1000), 1000);
  assert.throws(() => chunkSizeFor("x", 0), RangeError);
});

test("progress: at most one report per interval, and always the last", () => {
  let now = 0;
  const reports: UploadProgress[] = [];
  const reporter = new ProgressReporter((p) => reports.push(p), 100, () => now);
  for (let i = 1; i <= 50; i++) {
    now += 10;
    reporter.update({ compressed: i });
  }
  reporter.finish(50);
  assert.equal(reports.length, 6); // t=10, 110, 210, 310, 410, then the end
  assert.deepEqual(reports.at(-1), { read: undefined, compressed: 50, acknowledged: 50, total: 50, done: true });
  assert.ok(reports.slice(0, -1).every((p) => p.total === undefined));
});

test("progress: a change inside the interval is reported at its end, before a pause; nothing after stop()", async () => {
  const reports: UploadProgress[] = [];
  const reporter = new ProgressReporter((p) => reports.push(p), 50);
  reporter.update({ compressed: 1 });
  reporter.update({ acknowledged: 1 }); // inside the interval: held back
  assert.equal(reports.length, 1);
  await new Promise((resolve) => setTimeout(resolve, 120)); // a pause: the source gone quiet
  assert.deepEqual(reports.map((p) => p.acknowledged), [0, 1]);
  reporter.update({ compressed: 2 }); // a fresh interval: at once
  reporter.update({ compressed: 3 });
  reporter.stop(); // the upload failed
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(reports.map((p) => p.compressed), [1, 1, 2]);
});

test("ChunkReader: fixed-size chunks over any split of the input, same bytes in order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 12 }), fc.integer({ min: 1, max: 900 }), async (data, cuts, size) => {
      const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b);
      const pieces = [0, ...points, data.length].slice(1).map((end, i, ends) => data.slice(i === 0 ? 0 : ends[i - 1], end));
      const reader = new ChunkReader(new Blob(pieces).stream(), size);
      const out: number[] = [];
      const lengths: number[] = [];
      for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
        lengths.push(chunk.byteLength);
        out.push(...chunk);
      }
      assert.deepEqual(Uint8Array.from(out), data);
      assert.ok(lengths.slice(0, -1).every((l) => l === size));
      assert.ok(lengths.every((l) => l > 0 && l <= size));
      assert.equal(reader.bytesRead, data.length);
    }),
    { numRuns: 150 },
  );
});

test("blobLayer: digest up front from a Blob or bytes, re-readable, values once computed", async () => {
  const bytes = new TextEncoder().encode("layer bytes");
  const expected = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const diffID = `sha256:${"1".repeat(64)}`;
  for (const layer of [blobLayer(bytes, { diffID }), blobLayer(new Blob([bytes]), { diffID })]) {
    assert.equal(await layer.digest(), expected);
    assert.equal(await layer.size(), bytes.byteLength);
    assert.deepEqual(layer.computed(), { digest: expected, diffID, size: bytes.byteLength });
    for (let i = 0; i < 2; i++) assert.deepEqual(new Uint8Array(await new Response(layer.compressed()).arrayBuffer()), bytes);
    assert.equal(layer.mediaType(), "application/vnd.oci.image.layer.v1.tar+gzip");
  }
  const noDiffID = blobLayer(bytes);
  await assert.rejects(noDiffID.diffID(), { code: "NOT_COMPUTED" });
  assert.throws(() => blobLayer("text" as unknown as Uint8Array), TypeError);
});

test("blobLayer: hashes a Blob where streams are not async iterable (Safari)", async () => {
  const proto = ReadableStream.prototype as unknown as Record<symbol, unknown>;
  const iterator = Object.getOwnPropertyDescriptor(proto, Symbol.asyncIterator);
  assert.ok(iterator, "this runtime's streams are async iterable, so hiding that is meaningful");
  delete proto[Symbol.asyncIterator];
  try {
    const bytes = new TextEncoder().encode("layer bytes");
    assert.equal(await blobLayer(new Blob([bytes])).digest(), `sha256:${createHash("sha256").update(bytes).digest("hex")}`);
  } finally {
    Object.defineProperty(proto, Symbol.asyncIterator, iterator);
  }
});
