// StreamLayer's outcomes checked against tools that are not ours: for every
// input size and every compressor, the DiffID is what sha256sum says of the
// input, the Digest what it says of the gzip, gunzip gives the input back, and
// the Size is the gzip's length. Chunk boundaries are drawn by fast-check.
// The inputs are any bytes, not tars: the tar check is turned off.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { StreamLayer, type StreamLayerOptions } from "../../src/index.ts";
import { chunkedStream, collect, tarLikeBytes } from "../support/bytes.ts";
import { gunzip, sha256sum, temporaryDirectory, writeTemporaryFile } from "../support/tools.ts";

const MiB = 1024 * 1024;

const inputs = [
  { name: "0 bytes", bytes: () => new Uint8Array(0), runs: 3 },
  { name: "1 byte", bytes: () => new Uint8Array([0x2a]), runs: 3 },
  { name: "65,535 bytes", bytes: () => tarLikeBytes(65_535, 2), runs: 8 },
  { name: "65,536 bytes", bytes: () => tarLikeBytes(65_536, 3), runs: 8 },
  { name: "1 MiB + 7 bytes", bytes: () => tarLikeBytes(MiB + 7, 4), runs: 4 },
  { name: "64 MiB", bytes: () => tarLikeBytes(64 * MiB, 5), runs: 1 },
  { name: "64 MiB of zeros", bytes: () => new Uint8Array(64 * MiB), runs: 1 },
];

const compressors: { name: string; options: StreamLayerOptions }[] = [
  { name: "auto", options: {} },
  { name: "compression-stream", options: { compressor: "compression-stream" } },
  { name: "zlib level 1", options: { compressor: "zlib", compressionLevel: 1 } },
  { name: "zlib level 9", options: { compressor: "zlib", compressionLevel: 9 } },
  { name: "fflate level 1", options: { compressor: "fflate", compressionLevel: 1 } },
  { name: "fflate level 9", options: { compressor: "fflate", compressionLevel: 9 } },
];

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (directory = await temporaryDirectory()));
after(() => directory.remove());

for (const input of inputs) {
  describe(`a layer of ${input.name}`, () => {
    let bytes: Uint8Array;
    let inputFile: string;
    let expectedDiffID: string;
    before(async () => {
      bytes = input.bytes();
      inputFile = await writeTemporaryFile(directory.path, "input.tar", bytes);
      expectedDiffID = await sha256sum(inputFile);
    });

    for (const compressor of compressors) {
      test(`with ${compressor.name}: values match sha256sum, gunzip restores the input`, async () => {
        const largest = Math.max(1, Math.min(bytes.length, MiB));
        const smallest = bytes.length > 4 * MiB ? 1024 : 1;
        const chunkings = fc.array(fc.integer({ min: smallest, max: largest }), { minLength: 1, maxLength: 12 });
        await fc.assert(
          fc.asyncProperty(chunkings, async (chunkSizes) => {
            const { stream } = chunkedStream(bytes, { chunkSizes });
            const layer = new StreamLayer(stream, { ...compressor.options, requireTar: false });
            const gzip = await collect(layer.compressed());
            const gzipFile = await writeTemporaryFile(directory.path, "layer.tar.gz", gzip);

            assert.equal(await layer.diffID(), expectedDiffID);
            assert.equal(await layer.digest(), await sha256sum(gzipFile));
            assert.equal(await layer.size(), gzip.length);
            assert.deepEqual(layer.computed(), { digest: await layer.digest(), diffID: expectedDiffID, size: gzip.length });
            assert.ok((await gunzip(gzipFile)).equals(bytes), "gunzip gives back the input byte for byte");
          }),
          { numRuns: input.runs },
        );
      });
    }
  });
}
