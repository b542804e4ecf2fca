// CompressedStreamLayer takes a .tar.zst as it is: made by zstd(1) (one frame,
// and several frames concatenated, as pzstd and our parallel blocks write),
// its Digest and Size are those of the file, its DiffID the sha256 of the tar,
// decompressed in lockstep by zstd's decoder in WebAssembly. Wrong, corrupt
// or cut data is refused with InvalidLayerSourceError.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { describe, test } from "node:test";
import { CompressedStreamLayer, OCI_LAYER_ZSTD, type CompressedStreamLayerOptions } from "../../src/index.ts";
import { chunkedStream, collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { sha256 } from "../support/tools.ts";

const MiB = 1024 * 1024;

function zstdCli(bytes: Uint8Array, ...args: string[]): Uint8Array {
  return new Uint8Array(execFileSync("zstd", ["-q", "-c", ...args], { input: bytes, maxBuffer: 64 * MiB }));
}

async function layerOf(bytes: Uint8Array, chunkSizes: number[], options: CompressedStreamLayerOptions = { compression: "zstd" }) {
  const layer = new CompressedStreamLayer(chunkedStream(bytes, { chunkSizes }).stream, options);
  return { layer, out: await collect(layer.compressed()) };
}

describe("a .tar.zst in a CompressedStreamLayer", () => {
  const tar = withTarHeader(tarLikeBytes(3 * MiB + 17, 41));

  test("one frame by zstd(1), with a checksum and a content size: the bytes as they are, DiffID of the tar", async () => {
    const tarZst = zstdCli(tar, "-19");
    // Byte-sized pieces between larger ones: every header and block boundary
    // lands inside some piece somewhere, without a million one-byte reads.
    for (const chunkSizes of [[1, 2, 3, 4093], [7, 65_536], [MiB]]) {
      const { layer, out } = await layerOf(tarZst, chunkSizes);
      assert.deepEqual(out, tarZst);
      assert.equal(await layer.digest(), sha256(tarZst));
      assert.equal(await layer.diffID(), sha256(tar));
      assert.equal(await layer.size(), tarZst.length);
      assert.equal(layer.mediaType(), OCI_LAYER_ZSTD);
    }
  });

  test("several frames concatenated (as parallel writers make them): one DiffID of the whole tar", async () => {
    const cut = 1_000_003;
    const tarZst = new Uint8Array([...zstdCli(tar.subarray(0, cut), "-1"), ...zstdCli(tar.subarray(cut), "-3", "--no-check")]);
    const { layer } = await layerOf(tarZst, [65_536, 3]);
    assert.equal(await layer.diffID(), sha256(tar));
    assert.equal(await layer.digest(), sha256(tarZst));
  });

  test("tars of a whole number of the decoder's 128 KiB output pieces (the last piece ends full with the frame) are taken", async () => {
    for (const length of [128 * 1024, 256 * 1024, 2 * MiB]) {
      const whole = withTarHeader(tarLikeBytes(length, 43));
      for (const tarZst of [zstdCli(whole, "-3"), new Uint8Array([...zstdCli(whole.subarray(0, 128 * 1024), "-1"), ...zstdCli(whole.subarray(128 * 1024), "-1")])]) {
        const { layer } = await layerOf(tarZst, [65_536]);
        assert.equal(await layer.diffID(), sha256(whole), `${length} bytes`);
      }
    }
  });

  test("mediaType tar+zstd alone picks zstd; a gzip media type with zstd is a TypeError", async () => {
    const tarZst = zstdCli(tar);
    const { layer } = await layerOf(tarZst, [MiB], { mediaType: OCI_LAYER_ZSTD });
    assert.equal(await layer.diffID(), sha256(tar));
    assert.throws(() => new CompressedStreamLayer(new Blob([]).stream(), { compression: "zstd", mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }), { name: "TypeError", message: /Docker's format has no zstd layers/ });
  });

  const refusals: [string, () => Uint8Array, CompressedStreamLayerOptions, string, RegExp][] = [
    ["gzip data given as zstd", () => new Uint8Array(gzipSync(tar)), { compression: "zstd" }, "not-zstd", /found gzip data .* expected zstd.*give compression "gzip"/],
    ["zstd data given as gzip (the default)", () => zstdCli(tar), {}, "not-gzip", /found zstd data .* expected gzip.*give compression "zstd"/],
    ["an uncompressed tar", () => tar, { compression: "zstd" }, "not-zstd", /use StreamLayer/],
    ["zstd cut short", () => zstdCli(tar).subarray(0, 50_000), { compression: "zstd" }, "corrupt-zstd", /zstd data cannot be decompressed/],
    ["zstd with a byte flipped", () => { const bytes = zstdCli(tar).slice(); bytes[bytes.length >> 1]! ^= 0xff; return bytes; }, { compression: "zstd" }, "corrupt-zstd", /zstd data cannot be decompressed/],
    ["zstd followed by garbage", () => new Uint8Array([...zstdCli(tar), 1, 2, 3, 4, 5, 6, 7, 8]), { compression: "zstd" }, "corrupt-zstd", /zstd data cannot be decompressed/],
    ["zstd of bytes that are not a tar", () => zstdCli(tarLikeBytes(100_000, 3).map((byte) => byte | 1)), { compression: "zstd" }, "not-tar", /./],
  ];
  for (const [name, bytes, options, reason, message] of refusals) {
    test(`${name}: InvalidLayerSourceError (${reason}), every value rejects`, async () => {
      const layer = new CompressedStreamLayer(chunkedStream(bytes(), { chunkSizes: [65_536] }).stream, options);
      await assert.rejects(collect(layer.compressed()), (error: { name?: string; found?: string; message?: string }) => {
        assert.equal(error.name, "InvalidLayerSourceError");
        assert.equal(error.found, reason);
        assert.match(error.message ?? "", message);
        return true;
      });
      for (const value of [layer.digest(), layer.diffID(), layer.size()]) await assert.rejects(value, { name: "InvalidLayerSourceError" });
    });
  }
});
