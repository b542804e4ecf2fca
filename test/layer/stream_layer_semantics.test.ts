// The semantics of go-containerregistry's stream.Layer, and what a read-once
// stream adds to them: consumed, not computed, cancelled, failed, no leaks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import {
  ConsumedError,
  DOCKER_LAYER_GZIP,
  NotComputedError,
  OCI_LAYER_GZIP,
  StreamLayer,
  StreamLayerError,
  UncompressedUnavailableError,
  isStreamLayerError,
  type StreamLayerOptions,
} from "../../src/index.ts";
import { chunkedStream, collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";

const compressors: { name: string; options: StreamLayerOptions }[] = [
  { name: "compression-stream", options: { compressor: "compression-stream" } },
  { name: "zlib", options: { compressor: "zlib", compressionLevel: 1 } },
  { name: "fflate", options: { compressor: "fflate", compressionLevel: 1 } },
];

/** Waits until `count()` has not changed for 100 ms, and returns it; fails after 10 s. */
async function settledCount(count: () => number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let last = count();
  let stableSince = Date.now();
  while (Date.now() - stableSince < 100) {
    if (Date.now() > deadline) assert.fail(`still reading after 10 s: ${count()} bytes`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (count() !== last) [last, stableSince] = [count(), Date.now()];
  }
  return last;
}

const PENDING = Symbol("pending");
async function stateOf(promise: Promise<unknown>): Promise<unknown> {
  await nextMacrotask();
  return Promise.race([promise.then((v) => ({ resolved: v }), (e: unknown) => ({ rejected: e })), PENDING]);
}

describe("StreamLayer", () => {
  test("compressed() a second time throws ConsumedError", async () => {
    const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());
    const first = layer.compressed();
    assert.throws(
      () => layer.compressed(),
      (error) => error instanceof ConsumedError && error instanceof StreamLayerError && isStreamLayerError(error) && error.code === "CONSUMED",
    );
    await collect(first);
    assert.throws(() => layer.compressed(), { code: "CONSUMED" });
  });

  test("uncompressed() always fails with a typed error", async () => {
    const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());
    assert.throws(() => layer.uncompressed(), UncompressedUnavailableError);
    await collect(layer.compressed());
    assert.throws(() => layer.uncompressed(), { code: "UNCOMPRESSED_UNAVAILABLE" });
  });

  test("values are not available until the compressed stream ends", async () => {
    const bytes = withTarHeader(tarLikeBytes(1024 * 1024));
    const layer = new StreamLayer(chunkedStream(bytes, { chunkSizes: [4096] }).stream);
    assert.throws(() => layer.computed(), NotComputedError);
    assert.equal(await stateOf(layer.digest()), PENDING);

    const reader = layer.compressed().getReader();
    await reader.read();
    assert.throws(() => layer.computed(), { code: "NOT_COMPUTED" });
    for (const value of [layer.digest(), layer.diffID(), layer.size()]) assert.equal(await stateOf(value), PENDING);

    while (!(await reader.read()).done);
    assert.match(layer.computed().digest, /^sha256:[0-9a-f]{64}$/);
    assert.match(await layer.diffID(), /^sha256:[0-9a-f]{64}$/);
    assert.equal(typeof (await layer.size()), "number");
  });

  test("the values are settled before the reader sees the end", async () => {
    const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());
    const reader = layer.compressed().getReader();
    while (!(await reader.read()).done);
    assert.doesNotThrow(() => layer.computed());
  });

  test("mediaType() is the OCI gzip layer type unless Docker's is asked for", () => {
    assert.equal(new StreamLayer(new Blob([]).stream()).mediaType(), OCI_LAYER_GZIP);
    assert.equal(new StreamLayer(new Blob([]).stream(), { mediaType: DOCKER_LAYER_GZIP }).mediaType(), DOCKER_LAYER_GZIP);
  });

  test("bad arguments are refused at construction", () => {
    const source = () => new Blob([]).stream();
    assert.throws(() => new StreamLayer(source(), { compressionLevel: 10 as 9 }), RangeError);
    assert.throws(() => new StreamLayer(source(), { compressionLevel: 1.5 as 1 }), RangeError);
    assert.throws(() => new StreamLayer(source(), { compressor: "brotli" as "zlib" }), TypeError);
    assert.throws(() => new StreamLayer(source(), { mediaType: "application/zip" as typeof OCI_LAYER_GZIP }), TypeError);
    assert.throws(() => new StreamLayer(source(), { compressor: "compression-stream", compressionLevel: 1 }), /no compression level/);
    assert.throws(() => new StreamLayer("tar" as unknown as ReadableStream<Uint8Array>), TypeError);
    const locked = source();
    locked.getReader();
    assert.throws(() => new StreamLayer(locked), /locked/);
  });

  test("a chunk that is not bytes errors the stream with a TypeError", async () => {
    const text = new ReadableStream<unknown>({ start: (c) => (c.enqueue("text"), c.close()) });
    const layer = new StreamLayer(text as ReadableStream<Uint8Array>);
    await assert.rejects(collect(layer.compressed()), TypeError);
    await assert.rejects(layer.digest(), TypeError);
  });

  for (const { name, options } of compressors) {
    describe(`with ${name}`, () => {
      test("cancelling early cancels the source and rejects the values with NotComputedError", async () => {
        const { stream, record } = chunkedStream(withTarHeader(tarLikeBytes(8 * 1024 * 1024)), { chunkSizes: [65536], paced: true });
        const layer = new StreamLayer(stream, options);
        const reader = layer.compressed().getReader();
        await reader.read();
        const reason = new Error("consumer stopped");
        await reader.cancel(reason);

        assert.deepEqual(record.cancelled, { reason });
        for (const value of [layer.digest(), layer.diffID(), layer.size()]) {
          await assert.rejects(value, (error: unknown) => error instanceof NotComputedError && error.cause === reason);
        }
        assert.throws(() => layer.computed(), NotComputedError);
        assert.ok(record.pulled < 8 * 1024 * 1024, "the source was not read to its end");
      });

      test("a failing source errors the compressed stream and rejects the values with its error", async () => {
        const failure = new Error("disk on fire");
        const { stream } = chunkedStream(withTarHeader(tarLikeBytes(1024 * 1024)), { failWith: failure, failAfter: 300_000 });
        const layer = new StreamLayer(stream, options);
        await assert.rejects(collect(layer.compressed()), (error) => error === failure);
        for (const value of [layer.digest(), layer.diffID(), layer.size()]) await assert.rejects(value, (error) => error === failure);
      });
    });
  }

  for (const { name, options } of compressors.filter((c) => c.name !== "compression-stream")) {
    test(`with ${name}, the source is read only as fast as the consumer reads`, async () => {
      const { stream, record } = chunkedStream(withTarHeader(tarLikeBytes(64 * 1024 * 1024)), { chunkSizes: [65536] });
      const reader = new StreamLayer(stream, options).compressed().getReader();
      await reader.read();
      // zlib works on its own thread, so let whatever is under way settle
      // first; then the source must stay where it is for as long as we wait.
      const pulledWhileIdle = await settledCount(() => record.pulled);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(record.pulled, pulledWhileIdle, "nothing more is read while the consumer waits");
      assert.ok(pulledWhileIdle <= 4 * 1024 * 1024, `read ahead ${pulledWhileIdle} bytes`);
      await reader.cancel();
    });
  }

  test("rejections nobody awaits do not surface as unhandled", async () => {
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listen);
    try {
      const cancelled = new StreamLayer(new Blob([withTarHeader(tarLikeBytes(200_000))]).stream());
      cancelled.digest();
      await cancelled.compressed().cancel();
      const failed = new StreamLayer(chunkedStream(withTarHeader(new Uint8Array(10)), { failWith: new Error("x") }).stream);
      await collect(failed.compressed()).catch(() => {});
      for (let i = 0; i < 5; i++) await nextMacrotask();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", listen);
    }
  });
});
