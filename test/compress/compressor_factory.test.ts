// A compressor of one's own: `compressor` takes a factory, called with the
// layer's level, whose output is what the layer hashes and hands out.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { StreamLayer, type CompressionLevel, type Compressor, type CompressorFactory } from "../../src/index.ts";
import { collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { sha256 } from "../support/tools.ts";


/** Gzip of the whole input at once, with node:zlib: not a compressor streamlayer has. */
function wholeGzip(level: CompressionLevel | undefined): Compressor {
  const chunks: Uint8Array[] = [];
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk) {
      chunks.push(chunk.slice());
    },
    flush(controller) {
      controller.enqueue(new Uint8Array(gzipSync(Buffer.concat(chunks), level === undefined ? {} : { level })));
    },
  });
}

test("a factory's compressor makes the layer: called once with the level, its bytes are the blob", async () => {
  const tar = withTarHeader(tarLikeBytes(300_000));
  const levels: (CompressionLevel | undefined)[] = [];
  const factory: CompressorFactory = (level) => {
    levels.push(level);
    return wholeGzip(level);
  };
  const layer = new StreamLayer(new Blob([tar]).stream(), { compressor: factory, compressionLevel: 9 });
  const blob = await collect(layer.compressed());
  assert.deepEqual(levels, [9]);
  assert.deepEqual(blob, new Uint8Array(gzipSync(tar, { level: 9 })));
  assert.deepEqual(new Uint8Array(gunzipSync(blob)), tar);
  assert.equal(await layer.digest(), sha256(blob));
  assert.equal(await layer.diffID(), sha256(tar));
  assert.equal(await layer.size(), blob.length);
});

test("a factory may answer with a promise, and is given undefined when no level is set", async () => {
  const tar = withTarHeader(tarLikeBytes(10_000, 2));
  let given: CompressionLevel | undefined | "not called" = "not called";
  const layer = new StreamLayer(new Blob([tar]).stream(), {
    compressor: async (level) => {
      given = level;
      await Promise.resolve();
      return wholeGzip(level);
    },
  });
  const blob = await collect(layer.compressed());
  assert.equal(given, undefined);
  assert.deepEqual(blob, new Uint8Array(gzipSync(tar)));
  assert.equal(await layer.digest(), sha256(blob));
});

test("a factory that fails fails the layer with its error", async () => {
  const failure = new Error("no compressor today");
  const layer = new StreamLayer(new Blob([withTarHeader(new Uint8Array(1024))]).stream(), { compressor: () => Promise.reject(failure) });
  await assert.rejects(collect(layer.compressed()), (error) => error === failure);
});
