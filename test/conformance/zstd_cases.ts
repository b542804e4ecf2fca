// zstd layers in every runtime: the recorded digest for 0 B, 1 B and a 2 MiB
// block ± 1 whatever the chunking (so the four runtimes agree with one
// another), a .tar.zst taken as it is, a cancel near the end and a failing
// source, and a zstd image pushed to the registry, pulled back and
// decompressed by the library's own decoder. Web-platform globals only.
import { chunkedStream, concat, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { assert, assertBytesEqual, assertEqual, assertRejects, collect, random, webCryptoDigest, type ConformanceCase, type ConformanceContext } from "./harness.ts";
import { fetchCheckedBlob, fetchManifest } from "./registry_check.ts";
import { ZSTD_GOLDEN } from "./zstd_golden.ts";

const MiB = 1024 * 1024;

/** What a layer of a pulled image (a RemoteLayer) offers beyond any layer's members. */
interface PulledLayer {
  digest(): Promise<string>;
  uncompressed(): ReadableStream<Uint8Array>;
}
const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

const goldenCases: ConformanceCase[] = ZSTD_GOLDEN.layers.map((expected) => ({
  name: `zstd layer of ${expected.length} byte${expected.length === 1 ? "" : "s"} at level ${expected.level}: the recorded digest, whatever the chunking`,
  async run({ lib }) {
    const bytes = tarLikeBytes(expected.length, ZSTD_GOLDEN.seed);
    const next = random(expected.length + expected.level);
    for (const chunkSizes of [[Math.max(1, bytes.length)], [1 + next(5000), 1 + next(700_000)], [65_536]]) {
      const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { compression: "zstd", level: expected.level, requireTar: false });
      const zstd = await collect(layer.compressed());
      assertEqual(await layer.digest(), expected.digest, `digest with chunks of ${chunkSizes.join(", ")}`);
      assertEqual(await webCryptoDigest(zstd), expected.digest, "WebCrypto's digest of the bytes handed out");
      assertEqual(await layer.size(), expected.size, "size");
      assertEqual(zstd.length, expected.size, "bytes handed out");
      assertEqual(await layer.diffID(), await webCryptoDigest(bytes), "DiffID");
      assertEqual(layer.mediaType(), OCI_LAYER_ZSTD, "media type");
    }
  },
}));

/** The recorded layer of one block + 1 byte at level 3: two frames. */
function twoFrames(): { bytes: Uint8Array; digest: string; size: number } {
  const expected = ZSTD_GOLDEN.layers.find((layer) => layer.level === 3 && layer.length === 2 * MiB + 1)!;
  return { bytes: tarLikeBytes(expected.length, ZSTD_GOLDEN.seed), digest: expected.digest, size: expected.size };
}

const compressedCase: ConformanceCase = {
  name: "zstd layer: its bytes (two frames) taken back as a .tar.zst, as they are; zstd after the end or cut is refused",
  async run({ lib }) {
    const tar = withTarHeader(tarLikeBytes(2 * MiB + 1, 2122));
    const made = new lib.StreamLayer(new Blob([tar]).stream(), { compression: "zstd" });
    const tarZst = await collect(made.compressed());
    for (const chunkSizes of [[tarZst.length], [3, 40_000]]) {
      const layer = new lib.CompressedStreamLayer(chunkedStream(tarZst, { chunkSizes }).stream, { compression: "zstd" });
      assertBytesEqual(await collect(layer.compressed()), tarZst, "passed on as they are");
      assertEqual(await layer.digest(), await made.digest(), "Digest");
      assertEqual(await layer.diffID(), await webCryptoDigest(tar), "DiffID");
      assertEqual(layer.mediaType(), OCI_LAYER_ZSTD, "media type");
    }
    const cases: [string, Uint8Array][] = [
      ["zero padding after the frames", concat(tarZst, new Uint8Array(512))],
      ["the last frame cut", tarZst.subarray(0, tarZst.length - 3)],
    ];
    for (const [what, bytes] of cases) {
      const layer = new lib.CompressedStreamLayer(chunkedStream(bytes, { chunkSizes: [65_536] }).stream, { compression: "zstd" });
      const error = await assertRejects(collect(layer.compressed()), "InvalidLayerSourceError", what);
      assertEqual((error as { found?: string }).found, "corrupt-zstd", `${what}: found`);
      await assertRejects(layer.diffID(), "InvalidLayerSourceError", `${what}: diffID()`);
    }
  },
};

const cancelCase: ConformanceCase = {
  name: "zstd layer: a cancel near the end (the source read to its end) settles every value; the next layer is whole",
  async run({ lib }) {
    const { bytes, digest } = twoFrames();
    for (const chunkSizes of [[65_536], [bytes.length]]) {
      const { stream, record } = chunkedStream(bytes, { chunkSizes });
      const layer = new lib.StreamLayer(stream, { compression: "zstd", requireTar: false });
      const reader = layer.compressed().getReader();
      while (record.pulled < bytes.length) {
        const { done } = await reader.read();
        if (done) break;
      }
      await reader.cancel(new Error("enough"));
      const values = await Promise.allSettled([layer.digest(), layer.diffID(), layer.size()]);
      for (const value of values) {
        // Either computed before the cancel took effect, or not computed at all: never left pending, never another error.
        if (value.status === "rejected") assertEqual((value.reason as Error).name, "NotComputedError", "a value after the cancel");
      }
    }
    const next = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [100_000] }).stream, { compression: "zstd", requireTar: false });
    await collect(next.compressed());
    assertEqual(await next.digest(), digest, "a zstd layer after the cancels");
  },
};

const failingSourceCase: ConformanceCase = {
  name: "zstd layer: a failing source fails the stream and every value with its own error",
  async run({ lib }) {
    for (const failAfter of [0, 150_000, 2 * MiB + 65_536]) {
      const failure = new Error("disk gone");
      const { stream } = chunkedStream(tarLikeBytes(3 * MiB, 2123), { chunkSizes: [65_536], failWith: failure, failAfter });
      const layer = new lib.StreamLayer(stream, { compression: "zstd", requireTar: false });
      const seen = await assertRejects(collect(layer.compressed()), "Error", `reading the stream (failing after ${failAfter})`);
      assertEqual(seen.message, "disk gone", "the stream's error");
      for (const value of [layer.digest(), layer.diffID(), layer.size()]) {
        assertEqual((await assertRejects(value, "Error", "a value")).message, "disk gone", "a value's error");
      }
    }
  },
};

const pushCase: ConformanceCase = {
  name: "zstd image: pushed under the recorded digest, pulled back, uncompressed() decompresses and checks it",
  async run(context: ConformanceContext) {
    const { lib, registry } = context;
    const repo = `conformance/${context.runtime}-zstd`;
    const { bytes, digest, size } = twoFrames();
    const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [77_777] }).stream, { compression: "zstd", requireTar: false });
    const pushed = await lib.writeImage(`${registry}/${repo}:v1`, lib.appendLayers(lib.emptyImage(), layer), { chunkSize: 256 * 1024 });
    const manifest = await fetchManifest(registry, repo, "v1");
    assertEqual(await webCryptoDigest(manifest.bytes), pushed.digest, "manifest digest");
    const { layers } = JSON.parse(new TextDecoder().decode(manifest.bytes)) as { layers: { digest: string; size: number; mediaType: string }[] };
    assertEqual(layers.map((entry) => `${entry.mediaType} ${entry.digest} ${entry.size}`).join(), `${OCI_LAYER_ZSTD} ${digest} ${size}`, "the manifest's layer");
    await fetchCheckedBlob(registry, repo, digest, size);

    const [pulled] = (await lib.pullImage(`${registry}/${repo}:v1`)).layers() as unknown as PulledLayer[];
    assert(pulled !== undefined && typeof pulled.uncompressed === "function", "the pulled image has its layer, a RemoteLayer");
    assertEqual(await pulled.digest(), digest, "the pulled layer's digest");
    assertBytesEqual(await collect(pulled.uncompressed()), bytes, "uncompressed(): the input, decompressed from the registry's blob");
  },
};

/** The zstd cases, in a stable order. */
export const zstdCases: ConformanceCase[] = [...goldenCases, compressedCase, cancelCase, failingSourceCase, pushCase];
