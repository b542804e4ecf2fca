// StreamLayer's input check: a tar and an empty source are layers; gzip, zstd,
// bytes that are not a tar and an image tarball are refused from their first
// block with InvalidLayerSourceError, which reaches the stream and the three
// values and cancels the source; requireTar: false takes any bytes.
import { chunkedStream, tarLikeBytes } from "../support/bytes.ts";
import { assert, assertEqual, assertRejects, collect, webCryptoDigest, type ConformanceCase, type ConformanceContext } from "./harness.ts";

// `printf 'hello\n' | zstd`: a whole zstd frame.
const ZSTD_HELLO = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x31, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x53, 0x88, 0xbd, 0x91]);
const MiB = 1024 * 1024;

async function tarOf(context: ConformanceContext, files: Record<string, string>): Promise<Uint8Array> {
  return collect(context.lib.createTarStream(Object.entries(files).map(([path, data]) => ({ path, data }))));
}

async function gzipOf(bytes: Uint8Array): Promise<Uint8Array> {
  return collect(new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("gzip")));
}

/** Pushes `bytes` through a default StreamLayer and checks the refusal everywhere it must show. */
async function expectRefused(context: ConformanceContext, bytes: Uint8Array, chunkSizes: number[], found: string, says: RegExp): Promise<void> {
  const { stream, record } = chunkedStream(bytes, { chunkSizes });
  const layer = new context.lib.StreamLayer(stream);
  const error = await assertRejects(collect(layer.compressed()), "InvalidLayerSourceError", `${found}: the compressed stream`);
  assertEqual(error.code, "INVALID_LAYER_SOURCE", `${found}: code`);
  assertEqual((error as { found?: string }).found, found, `${found}: found`);
  assert(says.test(error.message), `${found}: the message says what was found and what to do: ${error.message}`);
  assert(error instanceof context.lib.InvalidLayerSourceError && context.lib.isStreamLayerError(error), `${found}: an exported StreamLayerError`);
  for (const [name, value] of [["digest", layer.digest()], ["diffID", layer.diffID()], ["size", layer.size()]] as const) {
    const seen = await assertRejects(value, "InvalidLayerSourceError", `${found}: ${name}()`);
    assertEqual(seen, error, `${found}: ${name}() rejects with the same error`);
  }
  if (bytes.length > 1024 && chunkSizes.every((size) => size < bytes.length / 2)) {
    assert(record.cancelled !== undefined, `${found}: the source is cancelled`);
    assert(record.pulled < bytes.length, `${found}: the source was not read to its end (${record.pulled} of ${bytes.length})`);
  }
}

async function expectLayer(context: ConformanceContext, bytes: Uint8Array, what: string, options = {}): Promise<void> {
  const layer = new context.lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [100, 4096] }).stream, options);
  await collect(layer.compressed());
  assertEqual(await layer.diffID(), await webCryptoDigest(bytes), `${what}: DiffID`);
}

export const inputCheckCases: ConformanceCase[] = [
  {
    name: "input check: a tar (in pieces smaller than a block too) and an empty source are layers",
    async run(context) {
      await expectLayer(context, await tarOf(context, { "etc/motd": "hello\n", "srv/app.js": "x".repeat(5000) }), "tar");
      await expectLayer(context, new Uint8Array(0), "empty");
      await expectLayer(context, new Uint8Array(1024), "two zero blocks");
    },
  },
  {
    name: "input check: gzip and zstd are refused with InvalidLayerSourceError, even one byte at a time",
    async run(context) {
      const gzip = await gzipOf(await tarOf(context, { "a.txt": "a".repeat(300_000) }));
      for (const chunkSizes of [[65_536], [1]]) await expectRefused(context, gzip, chunkSizes, "gzip", /gzip.*1f 8b.*(gunzip|CompressedStreamLayer)/);
      const bigGzip = await gzipOf(tarLikeBytes(2 * MiB, 61));
      await expectRefused(context, bigGzip, [16_384], "gzip", /gzip/);
      await expectRefused(context, ZSTD_HELLO, [3, 1], "zstd", /zstd.*28 b5 2f fd.*zstd -d/);
    },
  },
  {
    name: "input check: bytes that are not a tar, short or long, are refused unless requireTar is false",
    async run(context) {
      const random = tarLikeBytes(2 * MiB, 62);
      await expectRefused(context, random, [16_384], "not-tar", /not a tar.*checksum.*requireTar: false/);
      await expectRefused(context, random, [7, 300, 65_536], "not-tar", /not a tar/);
      await expectRefused(context, new TextEncoder().encode("hello\n"), [65_536], "not-tar", /6 bytes.*shorter than one 512-byte tar block/);
      await expectLayer(context, random, "random bytes with requireTar: false", { requireTar: false });
      await expectLayer(context, ZSTD_HELLO, "zstd with requireTar: false", { requireTar: false });
    },
  },
  {
    name: "input check: an OCI-layout tarball is refused as an image, not a layer",
    async run(context) {
      // The order skopeo's oci-archive and createTarStream (sorted) both give: blobs/ first.
      const layout = await tarOf(context, {
        "blobs/sha256/0da8533965d1fedec6d58dfabb26862e60c565d438dd1dcfe526ecaa4981885d": "{}",
        "index.json": '{"schemaVersion":2,"manifests":[]}',
        "oci-layout": '{"imageLayoutVersion":"1.0.0"}',
      });
      await expectRefused(context, layout, [512], "image-tarball", /image tarball.*(skopeo|crane)/);
      const markerFirst = await tarOf(context, { "oci-layout": '{"imageLayoutVersion":"1.0.0"}' });
      await expectRefused(context, markerFirst, [65_536], "image-tarball", /image tarball/);
    },
  },
];
