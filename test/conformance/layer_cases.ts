// The layer cases: values checked with WebCrypto and DecompressionStream for
// several sizes, chunkings and compressors, and every error path.
import { chunkedStream, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import {
  assert, assertBytesEqual, assertEqual, assertRejects, assertThrows, collect, gunzipBytes, random, webCryptoDigest,
  type ConformanceCase, type ConformanceContext,
} from "./harness.ts";
import type * as Library from "../../src/index.ts";
import { createSha256 } from "../../src/hash/_sha256.ts";

type Options = Library.StreamLayerOptions;
const MiB = 1024 * 1024;

const sizes = [0, 1, 65_535, 65_536, MiB + 7];
const compressors: { name: string; options: Options }[] = [
  { name: "auto", options: {} },
  { name: "compression-stream", options: { compressor: "compression-stream" } },
  { name: "fflate level 1", options: { compressor: "fflate", compressionLevel: 1 } },
  { name: "fflate level 9", options: { compressor: "fflate", compressionLevel: 9 } },
  { name: "deterministic", options: { deterministic: true } },
];
const CHUNKINGS_PER_CASE = 3;

/** Random chunk sizes from 1 byte to the whole input, the same in every runtime. */
function chunkings(size: number, seed: number): number[][] {
  const next = random(seed);
  return Array.from({ length: CHUNKINGS_PER_CASE }, () => Array.from({ length: 1 + next(6) }, () => 1 + next(Math.max(1, size))));
}

async function checkLayer(context: ConformanceContext, bytes: Uint8Array, chunkSizes: number[], options: Options): Promise<string> {
  const { stream } = chunkedStream(bytes, { chunkSizes });
  // Tar-like bytes of any length, 0 and 1 included: the tar check is off.
  const layer = new context.lib.StreamLayer(stream, { requireTar: false, ...options });
  assertThrows(() => layer.computed(), "NotComputedError", "computed() before the stream is read");
  const gzip = await collect(layer.compressed());
  assertEqual(await layer.diffID(), await webCryptoDigest(bytes), "DiffID");
  assertEqual(await layer.digest(), await webCryptoDigest(gzip), "Digest");
  assertEqual(await layer.size(), gzip.length, "Size");
  assertBytesEqual(await gunzipBytes(gzip), bytes, "DecompressionStream restores the tarball");
  const computed = layer.computed();
  assertEqual(computed.digest, await layer.digest(), "computed().digest");
  assertEqual(computed.diffID, await layer.diffID(), "computed().diffID");
  assertEqual(computed.size, gzip.length, "computed().size");
  return computed.digest;
}

const valueCases: ConformanceCase[] = sizes.flatMap((size, sizeIndex) =>
  compressors.map((compressor) => ({
    name: `layer of ${size} bytes with ${compressor.name}: values match WebCrypto, gunzip restores it`,
    async run(context: ConformanceContext) {
      const bytes = tarLikeBytes(size, 100 + sizeIndex);
      const digests = new Set<string>();
      for (const chunkSizes of chunkings(size, 7 + sizeIndex)) digests.add(await checkLayer(context, bytes, chunkSizes, compressor.options));
      if (compressor.options.deterministic) assertEqual(digests.size, 1, "deterministic digests over different chunkings");
    },
  })),
);

const zlibCase: ConformanceCase = {
  name: "zlib compresses where the runtime has node:zlib, else fails with CompressorUnavailableError",
  async run(context) {
    const bytes = withTarHeader(tarLikeBytes(70_000, 3));
    if (context.hasZlib) {
      await checkLayer(context, bytes, [4096], { compressor: "zlib", compressionLevel: 9 });
      return;
    }
    const { stream, record } = chunkedStream(bytes);
    const layer = new context.lib.StreamLayer(stream, { compressor: "zlib" });
    const error = await assertRejects(collect(layer.compressed()), "CompressorUnavailableError", "zlib without node:zlib");
    assertEqual(error.code, "COMPRESSOR_UNAVAILABLE", "error code");
    await assertRejects(layer.digest(), "CompressorUnavailableError", "digest() after the failure");
    assert(record.cancelled, "the source is cancelled");
  },
};

const errorCases: ConformanceCase[] = [
  {
    name: "compressed() can be called once: ConsumedError, uncompressed() is unavailable",
    async run({ lib }) {
      const layer = new lib.StreamLayer(chunkedStream(withTarHeader(tarLikeBytes(1000))).stream);
      const stream = layer.compressed();
      const error = assertThrows(() => layer.compressed(), "ConsumedError", "second compressed()");
      assertEqual(error.code, "CONSUMED", "error code");
      assert(lib.isStreamLayerError(error), "isStreamLayerError recognises it");
      assertThrows(() => layer.uncompressed(), "UncompressedUnavailableError", "uncompressed()");
      await collect(stream);
    },
  },
  {
    name: "a cancelled stream cancels the source and the values reject with NotComputedError",
    async run({ lib }) {
      const { stream, record } = chunkedStream(withTarHeader(tarLikeBytes(2 * MiB, 4)), { chunkSizes: [16_384] });
      const layer = new lib.StreamLayer(stream);
      const reader = layer.compressed().getReader();
      await reader.read();
      await reader.cancel(new Error("enough"));
      const error = await assertRejects(layer.digest(), "NotComputedError", "digest() after cancel");
      assertEqual(error.code, "NOT_COMPUTED", "error code");
      await assertRejects(layer.diffID(), "NotComputedError", "diffID() after cancel");
      await assertRejects(layer.size(), "NotComputedError", "size() after cancel");
      assert(record.cancelled, "the source is cancelled");
      assert(record.pulled < 2 * MiB, "the source was not read to its end");
    },
  },
  {
    name: "a failing source fails the stream and the values with its own error",
    async run({ lib }) {
      for (const options of [{}, { compressor: "fflate" }, { deterministic: true }] as Options[]) {
        const failure = new Error("disk gone");
        const { stream } = chunkedStream(withTarHeader(tarLikeBytes(300_000, 5)), { chunkSizes: [10_000], failWith: failure, failAfter: 150_000 });
        const layer = new lib.StreamLayer(stream, options);
        const seen = await assertRejects(collect(layer.compressed()), "Error", "reading the stream");
        assertEqual(seen.message, "disk gone", "the stream's error");
        const values = await assertRejects(layer.digest(), "Error", "digest()");
        assertEqual(values.message, "disk gone", "digest()'s error");
      }
    },
  },
  {
    name: "chunks that are not bytes fail with a TypeError",
    async run({ lib }) {
      const source = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue("not bytes" as unknown as Uint8Array);
          controller.close();
        },
      });
      const layer = new lib.StreamLayer(source);
      await assertRejects(collect(layer.compressed()), "TypeError", "a string chunk");
      await assertRejects(layer.digest(), "TypeError", "digest() after a string chunk");
    },
  },
  {
    name: "bad arguments are TypeError or RangeError",
    async run({ lib }) {
      const source = () => new ReadableStream<Uint8Array>();
      assertThrows(() => new lib.StreamLayer(source(), { compressionLevel: 10 as 9 }), "RangeError", "level 10");
      assertThrows(() => new lib.StreamLayer(source(), { compressor: "brotli" as "auto" }), "TypeError", "unknown compressor");
      assertThrows(() => new lib.StreamLayer(source(), { mediaType: "text/plain" as Options["mediaType"] }), "TypeError", "media type");
      assertThrows(() => new lib.StreamLayer(source(), { compressor: "compression-stream", compressionLevel: 1 }), "TypeError", "level with CompressionStream");
      assertThrows(() => new lib.StreamLayer(source(), { compressor: "zlib", deterministic: true }), "TypeError", "deterministic with zlib");
      assertThrows(() => new lib.StreamLayer({} as ReadableStream<Uint8Array>), "TypeError", "not a stream");
      const locked = source();
      locked.getReader();
      assertThrows(() => new lib.StreamLayer(locked), "TypeError", "locked stream");
    },
  },
  {
    name: "media types: OCI by default, Docker on request",
    async run({ lib }) {
      assertEqual(new lib.StreamLayer(new ReadableStream()).mediaType(), lib.OCI_LAYER_GZIP, "default");
      assertEqual(new lib.StreamLayer(new ReadableStream(), { mediaType: lib.DOCKER_LAYER_GZIP }).mediaType(), lib.DOCKER_LAYER_GZIP, "docker");
    },
  },
  {
    name: "createSha256 agrees with WebCrypto",
    async run({ lib }) {
      const bytes = tarLikeBytes(200_003, 8);
      // Not public: the hasher every layer uses, taken from the sources.
      const sha256 = await createSha256();
      for (let offset = 0; offset < bytes.length; offset += 65_521) sha256.update(bytes.subarray(offset, offset + 65_521));
      assertEqual(`sha256:${await sha256.digest()}`, await webCryptoDigest(bytes), "SHA-256");
    },
  },
];

/** The layer cases, in a stable order. */
export const layerCases: ConformanceCase[] = [...valueCases, zlibCase, ...errorCases];
