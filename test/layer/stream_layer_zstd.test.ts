// zstd layers checked against tools that are not ours: the DiffID is what
// sha256sum says of the input, the Digest what it says of the layer, `zstd -d`
// gives the input back, and the bytes are the same however the source is
// chunked. Sizes around zstd's 128 KiB block and 1 MiB. Then the options, a
// cancel near the end, a failing source, backpressure, and a Docker base.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import {
  appendLayers,
  emptyImage,
  isStreamLayerError,
  OCI_LAYER_ZSTD,
  StreamLayer,
  ZSTD_MAX_LEVEL,
  ZSTD_MIN_LEVEL,
  type StreamLayerOptions,
} from "../../src/index.ts";
import { chunkedStream, collect, tarLikeBytes } from "../support/bytes.ts";
import { sha256, sha256sum, temporaryDirectory, writeTemporaryFile } from "../support/tools.ts";

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;

const inputs = [
  { name: "0 bytes", bytes: () => new Uint8Array(0), runs: 2 },
  { name: "1 byte", bytes: () => new Uint8Array([0x2a]), runs: 2 },
  { name: "128 KiB - 1", bytes: () => tarLikeBytes(128 * KiB - 1, 2), runs: 6 },
  { name: "128 KiB", bytes: () => tarLikeBytes(128 * KiB, 3), runs: 6 },
  { name: "128 KiB + 1", bytes: () => tarLikeBytes(128 * KiB + 1, 4), runs: 6 },
  { name: "1 MiB - 1", bytes: () => tarLikeBytes(MiB - 1, 5), runs: 4 },
  { name: "1 MiB + 1", bytes: () => tarLikeBytes(MiB + 1, 6), runs: 4 },
  { name: "9 MiB + 7", bytes: () => tarLikeBytes(9 * MiB + 7, 7), runs: 2 },
  { name: "16 MiB of zeros", bytes: () => new Uint8Array(16 * MiB), runs: 1 },
];

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (directory = await temporaryDirectory()));
after(() => directory.remove());

async function zstdLayer(bytes: Uint8Array, chunkSizes: number[], options: StreamLayerOptions = {}): Promise<{ layer: StreamLayer; zstd: Uint8Array }> {
  const { stream } = chunkedStream(bytes, { chunkSizes });
  const layer = new StreamLayer(stream, { compression: "zstd", requireTar: false, ...options });
  return { layer, zstd: await collect(layer.compressed()) };
}

async function zstdDecompress(file: string): Promise<Buffer> {
  const { stdout } = await run("zstd", ["-d", "-c", file], { encoding: "buffer", maxBuffer: 256 * MiB });
  return stdout;
}

for (const input of inputs) {
  describe(`a zstd layer of ${input.name}`, () => {
    let bytes: Uint8Array;
    let reference: Uint8Array;
    let expectedDiffID: string;
    before(async () => {
      bytes = input.bytes();
      expectedDiffID = await sha256sum(await writeTemporaryFile(directory.path, "input.tar", bytes));
      reference = (await zstdLayer(bytes, [Math.max(1, bytes.length)])).zstd;
    });

    test("values match sha256sum, zstd -d restores the input, the bytes do not depend on the chunking", async () => {
      const file = await writeTemporaryFile(directory.path, "reference.tar.zst", reference);
      assert.deepEqual(new Uint8Array(await zstdDecompress(file)), bytes, "zstd -d gives the input back");
      const largest = Math.max(1, Math.min(bytes.length, MiB));
      const smallest = bytes.length > 256 * KiB ? 4 * KiB : 1; // chunk sizes cycle: 1-byte chunks of 9 MiB would take minutes
      const chunkings = fc.array(fc.integer({ min: smallest, max: largest }), { minLength: 1, maxLength: 8 });
      await fc.assert(
        fc.asyncProperty(chunkings, async (chunkSizes) => {
          const { layer, zstd } = await zstdLayer(bytes, chunkSizes);
          assert.equal(sha256(zstd), sha256(reference), "the same bytes as from one chunk");
          assert.equal(await layer.diffID(), expectedDiffID);
          assert.equal(await layer.digest(), sha256(zstd));
          assert.equal(await layer.size(), zstd.length);
          assert.deepEqual(layer.computed(), { digest: await layer.digest(), diffID: expectedDiffID, size: zstd.length });
        }),
        { numRuns: input.runs },
      );
    });
  });
}

describe("zstd layer options", () => {
  const bytes = tarLikeBytes(3 * MiB + 5, 11);

  test("the media type is OCI's tar+zstd; levels change the bytes, zstd -d restores every one", async () => {
    const sizes = new Map<number, number>();
    for (const level of [ZSTD_MIN_LEVEL, -5, 0, 1, 3, 9, 19]) {
      const { layer, zstd } = await zstdLayer(bytes, [65_536], { level });
      assert.equal(layer.mediaType(), OCI_LAYER_ZSTD);
      const file = await writeTemporaryFile(directory.path, `level${level}.tar.zst`, zstd);
      assert.deepEqual(new Uint8Array(await zstdDecompress(file)), bytes, `level ${level}`);
      sizes.set(level, zstd.length);
    }
    assert.equal(sizes.get(0), sizes.get(3), "level 0 is zstd's default, 3");
    assert.ok(sizes.get(19)! < sizes.get(1)!, "19 is smaller than 1");
    assert.ok(sizes.get(1)! < sizes.get(-5)!, "1 is smaller than -5");
    const defaultLevel = await zstdLayer(bytes, [65_536]);
    assert.equal(defaultLevel.zstd.length, sizes.get(3), "the default level is 3");
  });

  test("the old spelling compressionLevel is the same level", async () => {
    const { zstd: old } = await zstdLayer(bytes, [65_536], { compressionLevel: 7 });
    const { zstd: now } = await zstdLayer(bytes, [65_536], { level: 7 });
    assert.equal(sha256(old), sha256(now));
  });

  test("bad options are refused when the layer is made", () => {
    const make = (options: StreamLayerOptions) => () => new StreamLayer(new ReadableStream<Uint8Array>(), { compression: "zstd", ...options });
    for (const level of [ZSTD_MAX_LEVEL + 1, ZSTD_MIN_LEVEL - 1, 1.5, Number.NaN]) {
      assert.throws(make({ level }), { name: "RangeError", message: /Invalid level: expected an integer from -131072 to 22 for zstd/ });
    }
    assert.throws(make({ compressor: "zlib" }), { name: "TypeError", message: /writes gzip/ });
    assert.throws(make({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }), { name: "TypeError", message: /Docker's format has no zstd layers/ });
    assert.throws(make({ level: 3, compressionLevel: 3 }), { name: "TypeError", message: /old spelling of level/ });
    assert.throws(() => new StreamLayer(new ReadableStream<Uint8Array>(), { compression: "brotli" as "zstd" }), { name: "TypeError", message: /Invalid compression/ });
    assert.throws(() => new StreamLayer(new ReadableStream<Uint8Array>(), { level: 10 }), { name: "RangeError", message: /from 0 to 9 for gzip/ });
  });

  test("a compressor of one's own writes the zstd layer, given the level", async () => {
    const levels: unknown[] = [];
    const layer = new StreamLayer(chunkedStream(bytes).stream, {
      compression: "zstd",
      level: 5,
      requireTar: false,
      compressor: (level) => {
        levels.push(level);
        return new TransformStream<Uint8Array, Uint8Array>();
      },
    });
    const out = await collect(layer.compressed());
    assert.deepEqual(levels, [5]);
    assert.equal(sha256(out), sha256(bytes), "its bytes, as they are");
    assert.equal(layer.mediaType(), OCI_LAYER_ZSTD);
  });

  test("appended to a Docker v2 image: refused with UnsupportedImageError; to an OCI image: listed as tar+zstd", async () => {
    const layer = () => new StreamLayer(new Blob([]).stream(), { compression: "zstd" });
    assert.throws(() => appendLayers(emptyImage({ format: "docker" }), layer()), (error) => isStreamLayerError(error) && error.code === "UNSUPPORTED_IMAGE" && /media type application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd/.test(error.message));
    const zstdLayerOfNothing = layer();
    const image = appendLayers(emptyImage(), zstdLayerOfNothing);
    await collect(zstdLayerOfNothing.compressed());
    const { manifest } = await image.values();
    assert.equal(manifest.layers[0]?.mediaType, OCI_LAYER_ZSTD);
  });
});

describe("a zstd layer on several threads", () => {
  const bytes = tarLikeBytes(9 * MiB + 7, 51);

  test("one frame per 2 MiB block (zstd -l counts them); the same bytes on 1, 2, 3 or 4 threads, whatever the chunking", async () => {
    const { zstd: reference } = await zstdLayer(bytes, [MiB], { parallelism: 1 });
    const file = await writeTemporaryFile(directory.path, "blocks.tar.zst", reference);
    const { stdout } = await run("zstd", ["-l", file]);
    assert.match(stdout, /^\s*5\s+\d/m, "5 frames: four blocks of 2 MiB and the rest");
    assert.deepEqual(new Uint8Array(await zstdDecompress(file)), bytes);
    for (const [parallelism, chunkSizes] of [[2, [7, 1_000_003]], [3, [65_536]], [4, [3 * MiB + 1]], [2, [MiB]]] as const) {
      const { zstd } = await zstdLayer(bytes, [...chunkSizes], { parallelism });
      assert.equal(sha256(zstd), sha256(reference), `${parallelism} threads, chunks of ${chunkSizes.join(", ")}`);
    }
  });

  test("a cancel while blocks compress on threads settles everything, and the next layer still gets its threads", async () => {
    const { stream, record } = chunkedStream(bytes, { chunkSizes: [MiB] });
    const layer = new StreamLayer(stream, { compression: "zstd", requireTar: false, parallelism: 2 });
    const reader = layer.compressed().getReader();
    await reader.read();
    await reader.cancel(new Error("stop"));
    assert.ok(record.cancelled);
    await assert.rejects(layer.diffID(), { name: "NotComputedError" });
    const { layer: next, zstd } = await zstdLayer(bytes, [MiB], { parallelism: 2 });
    assert.equal(await next.digest(), sha256(zstd));
  });
});

describe("a zstd layer's stream", () => {
  const bytes = tarLikeBytes(4 * MiB + 3, 21);

  test("a failing source fails the stream and every value with its error", async () => {
    const failure = new Error("disk gone");
    const { stream } = chunkedStream(bytes, { failWith: failure, failAfter: 2 * MiB });
    const layer = new StreamLayer(stream, { compression: "zstd", requireTar: false });
    await assert.rejects(collect(layer.compressed()), (error) => error === failure);
    for (const value of [layer.digest(), layer.diffID(), layer.size()]) await assert.rejects(value, (error) => error === failure);
  });

  test("a slow consumer holds the source back: what was read stays near what was taken", async () => {
    const { stream, record } = chunkedStream(new Uint8Array(64 * MiB), { chunkSizes: [MiB] });
    const layer = new StreamLayer(stream, { compression: "zstd", requireTar: false });
    const reader = layer.compressed().getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(record.pulled <= 8 * MiB, `${record.pulled} bytes read for one chunk taken`);
    await reader.cancel(new Error("enough"));
    assert.ok(record.cancelled, "the source is cancelled");
    await assert.rejects(layer.digest(), { name: "NotComputedError" });
  });

  test("cancels near the end (0–2 ms after the source ended) and mid-stream: no crash, every promise settled", async () => {
    const escaped: unknown[] = [];
    const onEscape = (error: unknown) => escaped.push(error);
    process.on("uncaughtException", onEscape);
    process.on("unhandledRejection", onEscape);
    try {
      for (let attempt = 0; attempt < 60; attempt++) {
        let sourceEnded = false;
        const { stream, record } = chunkedStream(bytes, { chunkSizes: [65_536] });
        const layer = new StreamLayer(stream, { compression: "zstd", requireTar: false, level: (attempt % 5) * 2 });
        const reader = layer.compressed().getReader();
        const midStream = attempt % 6 === 5;
        for (let reads = 0; ; reads++) {
          sourceEnded = record.pulled >= bytes.length;
          if (midStream ? reads === 2 : sourceEnded) break;
          const { done } = await reader.read();
          if (done) break;
        }
        if (attempt % 3 > 0) await new Promise((resolve) => setTimeout(resolve, attempt % 3));
        const outcomes = await Promise.allSettled([reader.cancel(new Error("stop")), layer.digest(), layer.diffID(), layer.size()]);
        assert.equal(outcomes[0]?.status, "fulfilled", "the cancel itself resolves");
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(escaped, [], "nothing thrown outside the stream");
    } finally {
      process.off("uncaughtException", onEscape);
      process.off("unhandledRejection", onEscape);
    }
  });
});
