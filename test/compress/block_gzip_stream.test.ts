// The parallel block compressor (pigz's format) checked with tools that are
// not ours: gunzip gives the input back, the trailer carries the CRC-32 and
// size that gzip(1) writes for the same input (so the output is one member
// covering all of it), Go's reader with Multistream(false) finds exactly one
// member and nothing after it, and the digests are what sha256sum says. The
// bytes must not depend on the input's chunking nor on the blocks in flight.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import fc from "fast-check";
import { StreamLayer, type CompressionLevel } from "../../src/index.ts";
import { BLOCK_SIZE, blockGzipStream, type BlockDeflater } from "../../src/compress/_block_gzip_stream.ts";
import { loadZlib } from "../../src/compress/_runtime.ts";
import { zlibBlockDeflater, zlibCrc32 } from "../../src/compress/_zlib_block_deflater.ts";
import { javascriptCrc32 } from "../../src/compress/_crc32.ts";
import { chunkedStream, collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { gunzip, sha256sum, temporaryDirectory, writeTemporaryFile } from "../support/tools.ts";

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** Tar-like bytes behind a tar header, so that a layer takes them for a tar (zeros when shorter than a header). */
function layerBytes(size: number, seed: number): Uint8Array {
  return size > 512 ? withTarHeader(tarLikeBytes(size, seed)) : new Uint8Array(size);
}

const inputs = [
  { name: "0 bytes", size: 0, runs: 2 },
  { name: "1 byte", size: 1, runs: 2 },
  { name: "one block − 1", size: BLOCK_SIZE - 1, runs: 3 },
  { name: "one block", size: BLOCK_SIZE, runs: 3 },
  { name: "one block + 1", size: BLOCK_SIZE + 1, runs: 3 },
  { name: "5 blocks + 7", size: 5 * BLOCK_SIZE + 7, runs: 2 },
  { name: "64 MiB", size: 64 * MiB, runs: 1 },
];

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
let oneMember: string;
before(async () => {
  directory = await temporaryDirectory();
  // Built here, from the standard library only, with no network.
  oneMember = join(directory.path, "one_gzip_member");
  await run("go", ["build", "-o", oneMember, "."], {
    cwd: new URL("./one_gzip_member/", import.meta.url).pathname,
    env: { ...process.env, GOFLAGS: "-mod=mod", GOPROXY: "off", GOTOOLCHAIN: "local", GOCACHE: join(directory.path, "gocache") },
  });
});
after(() => directory.remove());

/** The last 8 bytes gzip(1) writes for a file: its CRC-32 and size. */
async function gzipTrailer(file: string): Promise<Buffer> {
  const { stdout } = await run("bash", ["-c", 'gzip -1 -c "$1" | tail -c 8', "gzip", file], { encoding: "buffer", maxBuffer: 1024 });
  return stdout;
}

/** The SHA-256 of what Go's gzip reader decompressed from the first member; fails on trailing bytes. */
async function goOneMember(file: string): Promise<string> {
  const { stdout } = await run(oneMember, [file]);
  return stdout.trim();
}

for (const input of inputs) {
  describe(`parallel-zlib, a layer of ${input.name}`, () => {
    let bytes: Uint8Array;
    let inputFile: string;
    let diffID: string;
    let trailer: Buffer;
    before(async () => {
      bytes = layerBytes(input.size, input.size % 97);
      inputFile = await writeTemporaryFile(directory.path, "input.tar", bytes);
      diffID = await sha256sum(inputFile);
      trailer = await gzipTrailer(inputFile);
    });

    for (const level of [1, 6] as const) {
      test(`level ${level}: gunzip restores the input, one member with gzip's CRC-32 and size, digests match sha256sum`, async () => {
        const largest = Math.max(1, Math.min(bytes.length, 2 * MiB));
        const chunkings = fc.array(fc.integer({ min: bytes.length > 8 * MiB ? 4096 : 1, max: largest }), { minLength: 1, maxLength: 8 });
        await fc.assert(
          fc.asyncProperty(chunkings, async (chunkSizes) => {
            const layer = new StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { compressor: "parallel-zlib", compressionLevel: level });
            const gzip = await collect(layer.compressed());
            const gzipFile = await writeTemporaryFile(directory.path, "layer.tar.gz", gzip);

            assert.ok((await gunzip(gzipFile)).equals(bytes), "gunzip gives back the input byte for byte");
            assert.ok(Buffer.from(gzip.subarray(gzip.length - 8)).equals(trailer), "trailer: CRC-32 and size of the whole input, as gzip writes them");
            assert.equal(await goOneMember(gzipFile), diffID, "Go reads exactly one member, with nothing after it, and gets the input");
            assert.equal(await layer.diffID(), diffID);
            assert.equal(await layer.digest(), await sha256sum(gzipFile));
            assert.equal(await layer.size(), gzip.length);
          }),
          { numRuns: input.runs },
        );
      });
    }
  });
}

describe("the block format's bytes", () => {
  const bytes = tarLikeBytes(5 * BLOCK_SIZE + 7, 11);

  async function compress(deflater: BlockDeflater, level: CompressionLevel, blocksInFlight: number, chunkSizes: number[], crc = "zlib"): Promise<string> {
    const zlib = (await loadZlib())!;
    const crc32 = crc === "zlib" ? zlibCrc32(zlib)! : javascriptCrc32();
    const gzip = await collect(chunkedStream(bytes, { chunkSizes }).stream.pipeThrough(blockGzipStream(deflater, crc32, { level, blocksInFlight })));
    const file = await writeTemporaryFile(directory.path, "bytes.gz", gzip);
    assert.ok((await gunzip(file)).equals(bytes));
    return sha256sum(file);
  }

  for (const level of [0, 1, 9] as const) {
    test(`level ${level}: the same for 1, 2 and 4 blocks in flight and for any chunking`, async () => {
      const deflater = zlibBlockDeflater((await loadZlib())!);
      const expected = await compress(deflater, level, 1, [BLOCK_SIZE]);
      for (const [blocksInFlight, chunkSizes] of [
        [2, [12_345]],
        [4, [65_536]],
        [4, [1_000_003, 7]],
        [2, [3 * BLOCK_SIZE + 1]],
      ] as const) {
        assert.equal(await compress(deflater, level, blocksInFlight, [...chunkSizes]), expected, `${blocksInFlight} in flight, chunks of ${chunkSizes.join(", ")}`);
      }
      assert.equal(await compress(deflater, level, 4, [65_536], "javascript"), expected, "the JavaScript CRC-32 gives zlib's");
    });
  }

  test("blocks come out in order even when later ones finish first", async () => {
    const zlib = zlibBlockDeflater((await loadZlib())!);
    let calls = 0;
    const late: BlockDeflater = {
      async deflate(block, dictionary, level) {
        const delay = calls++ % 2 === 0 ? 30 : 0; // every other block finishes after the next one
        await new Promise((resolve) => setTimeout(resolve, delay));
        return zlib.deflate(block, dictionary, level);
      },
    };
    assert.equal(await compress(late, 1, 4, [65_536]), await compress(zlib, 1, 1, [BLOCK_SIZE]));
  });
});

describe("parallel-zlib: failure in the middle of parallel work", () => {
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => escaped.push(error);
  before(() => {
    process.on("unhandledRejection", onEscape);
    process.on("uncaughtException", onEscape);
  });
  after(() => {
    process.off("unhandledRejection", onEscape);
    process.off("uncaughtException", onEscape);
  });

  test("a block that fails to compress errors the stream; the rest is dropped quietly", async () => {
    const zlib = zlibBlockDeflater((await loadZlib())!);
    let calls = 0;
    const failing: BlockDeflater = {
      deflate(block, dictionary, level) {
        if (++calls === 3) return Promise.reject(new Error("deflate failed"));
        return zlib.deflate(block, dictionary, level); // others still running when the third fails
      },
    };
    const bytes = tarLikeBytes(8 * BLOCK_SIZE, 5);
    const { stream, record } = chunkedStream(bytes, { chunkSizes: [MiB] });
    const compressed = stream.pipeThrough(blockGzipStream(failing, zlibCrc32((await loadZlib())!)!, { level: 1, blocksInFlight: 4 }));
    await assert.rejects(collect(compressed), /deflate failed/);
    assert.ok(record.cancelled, "the source was cancelled");
    assert.ok(record.pulled < bytes.length, "the source was not read to its end");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(escaped, []);
  });

  test("a source that fails while blocks compress: every promise of the layer settles with its error", async () => {
    const bytes = layerBytes(6 * BLOCK_SIZE, 6);
    const failure = new Error("disk went away");
    const { stream } = chunkedStream(bytes, { chunkSizes: [300_000], failWith: failure, failAfter: 4 * BLOCK_SIZE + 5 });
    const layer = new StreamLayer(stream, { compressor: "parallel-zlib", compressionLevel: 6 });
    await assert.rejects(collect(layer.compressed()), failure);
    for (const value of [layer.digest(), layer.diffID(), layer.size()]) await assert.rejects(value, failure);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(escaped, []);
  });

  test("a consumer that fails while blocks compress: the source is cancelled and the values reject", async () => {
    const bytes = layerBytes(16 * BLOCK_SIZE, 8);
    const { stream, record } = chunkedStream(bytes, { chunkSizes: [MiB] });
    const layer = new StreamLayer(stream, { compressor: "parallel-zlib", compressionLevel: 1 });
    let written = 0;
    const refusing = new WritableStream<Uint8Array>({
      write(chunk) {
        if ((written += chunk.length) > 2 * MiB) throw new Error("upload refused");
      },
    });
    await assert.rejects(layer.compressed().pipeTo(refusing), /upload refused/);
    for (const value of [layer.digest(), layer.diffID(), layer.size()]) await assert.rejects(value, { code: "NOT_COMPUTED" });
    assert.ok(record.pulled < bytes.length, "the source was not read to its end");
    assert.ok(record.cancelled, "the source was cancelled");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(escaped, []);
  });
});

test("the Go checker itself refuses two gzip members", async () => {
  const one = await collect(new Blob([new Uint8Array(10)]).stream().pipeThrough(blockGzipStream(zlibBlockDeflater((await loadZlib())!), javascriptCrc32())));
  const twice = await writeTemporaryFile(directory.path, "two.gz", new Uint8Array([...one, ...one]));
  await assert.rejects(goOneMember(twice), /after the first gzip member/);
});

describe("deterministic layers: the block format on pako", () => {
  for (const size of [0, BLOCK_SIZE + 1, 3 * BLOCK_SIZE + 7]) {
    test(`${size} bytes: one member, gzip's trailer, the same digest for any chunking`, async () => {
      const bytes = layerBytes(size, 13);
      const inputFile = await writeTemporaryFile(directory.path, "deterministic.tar", bytes);
      const digests = new Set<string>();
      for (const chunkSizes of [[BLOCK_SIZE], [12_345], [65_536, 1]]) {
        const layer = new StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { deterministic: true, compressionLevel: 6 });
        const gzip = await collect(layer.compressed());
        const gzipFile = await writeTemporaryFile(directory.path, "deterministic.tar.gz", gzip);
        assert.ok((await gunzip(gzipFile)).equals(bytes), "gunzip gives back the input");
        assert.ok(Buffer.from(gzip.subarray(gzip.length - 8)).equals(await gzipTrailer(inputFile)), "gzip's CRC-32 and size");
        assert.equal(await goOneMember(gzipFile), await sha256sum(inputFile), "Go reads exactly one member");
        assert.equal(await layer.digest(), await sha256sum(gzipFile));
        digests.add(await layer.digest());
      }
      assert.equal(digests.size, 1, "one digest whatever the chunking");
    });
  }
});

test("StreamLayer's blocksInFlight changes the parallelism, not the bytes; a bad value is a RangeError", async () => {
  const bytes = layerBytes(4 * BLOCK_SIZE + 3, 17);
  const digests = new Set<string>();
  for (const blocksInFlight of [undefined, 1, 3, 8]) {
    const layer = new StreamLayer(chunkedStream(bytes, { chunkSizes: [200_000] }).stream, {
      compressor: "parallel-zlib",
      compressionLevel: 1,
      ...(blocksInFlight === undefined ? {} : { blocksInFlight }),
    });
    await collect(layer.compressed());
    digests.add(await layer.digest());
  }
  assert.equal(digests.size, 1);
  for (const blocksInFlight of [0, 1.5, -1]) {
    assert.throws(() => new StreamLayer(new ReadableStream<Uint8Array>(), { blocksInFlight }), { name: "RangeError", message: /Invalid blocksInFlight/ });
  }
});
