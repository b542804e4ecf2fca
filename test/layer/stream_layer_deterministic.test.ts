// `deterministic: true`: the gzip bytes depend on the tarball and the level
// alone, not on how the source is chunked; checked with sha256sum and gunzip.
// That they are the same in every runtime is asserted by the conformance suite.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { StreamLayer, type StreamLayerOptions } from "../../src/index.ts";
import { chunkedStream, collect, tarLikeBytes } from "../support/bytes.ts";
import { gunzip, sha256sum, temporaryDirectory, writeTemporaryFile } from "../support/tools.ts";

const MiB = 1024 * 1024;
let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (directory = await temporaryDirectory()));
after(() => directory.remove());

async function deterministicLayer(bytes: Uint8Array, chunkSizes: number[], options: StreamLayerOptions = {}) {
  const { stream } = chunkedStream(bytes, { chunkSizes });
  const layer = new StreamLayer(stream, { deterministic: true, requireTar: false, ...options });
  const gzip = await collect(layer.compressed());
  return { layer, gzip };
}

test("the same tarball in any chunking gives the same bytes, which gunzip restores", async () => {
  const bytes = tarLikeBytes(3 * MiB + 123, 11);
  const reference = await deterministicLayer(bytes, [bytes.length || 1]);
  const file = await writeTemporaryFile(directory.path, "reference.tar.gz", reference.gzip);
  assert.equal(await reference.layer.digest(), await sha256sum(file));
  assert.ok((await gunzip(file)).equals(bytes), "gunzip gives back the input");
  const chunkings = fc.array(fc.integer({ min: 1, max: 256 * 1024 }), { minLength: 1, maxLength: 10 });
  await fc.assert(
    fc.asyncProperty(chunkings, async (chunkSizes) => {
      const { layer, gzip } = await deterministicLayer(bytes, chunkSizes);
      assert.deepEqual(gzip, reference.gzip);
      assert.equal(await layer.digest(), await reference.layer.digest());
      assert.equal(await layer.diffID(), await reference.layer.diffID());
    }),
    { numRuns: 12 },
  );
});

test("the gzip header carries no time and no file name", async () => {
  const { gzip } = await deterministicLayer(tarLikeBytes(10_000, 3), [777]);
  assert.deepEqual([...gzip.subarray(0, 4)], [0x1f, 0x8b, 8, 0], "gzip magic, deflate, no flags");
  assert.deepEqual([...gzip.subarray(4, 8)], [0, 0, 0, 0], "MTIME is zero");
});

test("the level is part of the result, and compressor fflate is accepted", async () => {
  const bytes = tarLikeBytes(300_000, 5);
  const level1 = await deterministicLayer(bytes, [4096], { compressionLevel: 1 });
  const level9 = await deterministicLayer(bytes, [100_000], { compressionLevel: 9, compressor: "fflate" });
  const level9Again = await deterministicLayer(bytes, [1], { compressionLevel: 9 });
  assert.notEqual(await level1.layer.digest(), await level9.layer.digest());
  assert.equal(await level9.layer.digest(), await level9Again.layer.digest());
  for (const { gzip } of [level1, level9]) {
    const file = await writeTemporaryFile(directory.path, "level.tar.gz", gzip);
    assert.ok((await gunzip(file)).equals(bytes));
  }
});

test("an empty tarball gives a valid gzip", async () => {
  const { layer, gzip } = await deterministicLayer(new Uint8Array(0), [1]);
  const file = await writeTemporaryFile(directory.path, "empty.tar.gz", gzip);
  assert.equal((await gunzip(file)).length, 0);
  assert.equal(await layer.diffID(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("a native compressor cannot be combined with deterministic", () => {
  const source = () => new ReadableStream<Uint8Array>();
  for (const compressor of ["zlib", "parallel-zlib", "compression-stream"] as const) {
    assert.throws(() => new StreamLayer(source(), { deterministic: true, compressor }), {
      name: "TypeError",
      message: new RegExp(`deterministic layers have a compressor of their own, got compressor "${compressor}"`),
    });
  }
});

test("a source failure still reaches the values, and a cancel cancels the source", async () => {
  const failure = new Error("disk gone");
  const failing = chunkedStream(tarLikeBytes(200_000, 6), { chunkSizes: [10_000], failWith: failure, failAfter: 100_000 });
  const layer = new StreamLayer(failing.stream, { deterministic: true, requireTar: false });
  await assert.rejects(collect(layer.compressed()), (error) => error === failure);
  await assert.rejects(layer.digest(), (error) => error === failure);

  const cancelled = chunkedStream(tarLikeBytes(1_000_000, 7), { chunkSizes: [10_000] });
  const other = new StreamLayer(cancelled.stream, { deterministic: true, requireTar: false });
  const reader = other.compressed().getReader();
  await reader.read();
  await reader.cancel(new Error("stop"));
  await assert.rejects(other.digest(), { name: "NotComputedError" });
  assert.ok(cancelled.record.cancelled, "the source was cancelled");
});
