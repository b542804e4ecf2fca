// CompressedStreamLayer in every runtime: a gzip made by the platform's
// CompressionStream is handed out unchanged, with the Digest and Size of those
// bytes and the DiffID of the tar inside; read-once semantics; refusals; gzip
// read as Go reads it (several members taken, trailing bytes refused); a push.
import { chunkedStream, concat, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { assert, assertBytesEqual, assertEqual, assertRejects, assertThrows, collect, webCryptoDigest, type ConformanceCase, type ConformanceContext } from "./harness.ts";
import { fetchCheckedBlob } from "./registry_check.ts";

async function gzipOf(bytes: Uint8Array): Promise<Uint8Array> {
  return collect(new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("gzip")));
}

async function tarOf(context: ConformanceContext): Promise<Uint8Array> {
  const files = [{ path: "etc/motd", data: "hello\n" }, { path: "srv/noise.bin", data: tarLikeBytes(400_000, 71) }];
  return collect(context.lib.createTarStream(files));
}

export const compressedLayerCases: ConformanceCase[] = [
  {
    name: "compressed layer: the gzip passes unchanged; Digest and Size are its own, DiffID the tar's",
    async run(context) {
      const tar = await tarOf(context);
      const gzip = await gzipOf(tar);
      for (const chunkSizes of [[gzip.length], [1, 777], [65_536]]) {
        const layer = new context.lib.CompressedStreamLayer(chunkedStream(gzip, { chunkSizes }).stream);
        assertThrows(() => layer.computed(), "NotComputedError", "computed() before the end");
        const out = await collect(layer.compressed());
        assertBytesEqual(out, gzip, "the bytes handed out");
        assertEqual(await layer.digest(), await webCryptoDigest(gzip), "Digest");
        assertEqual(await layer.diffID(), await webCryptoDigest(tar), "DiffID");
        assertEqual(await layer.size(), gzip.length, "Size");
        assertEqual(layer.computed().size, gzip.length, "computed().size");
      }
    },
  },
  {
    name: "compressed layer: read once (ConsumedError), no uncompressed form, a cancel cancels the source",
    async run({ lib }) {
      const gzip = await gzipOf(withTarHeader(tarLikeBytes(2 * 1024 * 1024, 72)));
      const { stream, record } = chunkedStream(gzip, { chunkSizes: [8192] });
      const layer = new lib.CompressedStreamLayer(stream);
      const reader = layer.compressed().getReader();
      const consumed = assertThrows(() => layer.compressed(), "ConsumedError", "second compressed()");
      assertEqual(consumed.code, "CONSUMED", "code");
      assertThrows(() => layer.uncompressed(), "UncompressedUnavailableError", "uncompressed()");
      await reader.read();
      await reader.cancel(new Error("enough"));
      await assertRejects(layer.digest(), "NotComputedError", "digest() after cancel");
      await assertRejects(layer.diffID(), "NotComputedError", "diffID() after cancel");
      assert(record.cancelled !== undefined, "the source is cancelled");
      assert(record.pulled < gzip.length, "the source was not read to its end");
    },
  },
  {
    name: "compressed layer: a tar, a truncated gzip and a gzip of random bytes are refused with InvalidLayerSourceError",
    async run({ lib }) {
      const tar = withTarHeader(tarLikeBytes(50_000, 73));
      const gzip = await gzipOf(tar);
      const cases: [string, Uint8Array, string][] = [
        ["a tar", tar, "not-gzip"],
        ["a truncated gzip", gzip.subarray(0, gzip.length - 50), "corrupt-gzip"],
        ["a gzip of random bytes", await gzipOf(tarLikeBytes(50_000, 74)), "not-tar"],
      ];
      for (const [what, bytes, found] of cases) {
        const layer = new lib.CompressedStreamLayer(chunkedStream(bytes, { chunkSizes: [4096] }).stream);
        const error = await assertRejects(collect(layer.compressed()), "InvalidLayerSourceError", what);
        assertEqual(error.code, "INVALID_LAYER_SOURCE", `${what}: code`);
        assertEqual((error as { found?: string }).found, found, `${what}: found`);
        await assertRejects(layer.size(), "InvalidLayerSourceError", `${what}: size()`);
      }
    },
  },
  {
    name: "compressed layer: a gzip of several members is read whole; bytes after the last member (zero padding too) are refused, as Go's gzip reader refuses them",
    async run(context) {
      const tar = await tarOf(context);
      const cut = 123_457;
      const members = concat(await gzipOf(tar.subarray(0, cut)), await gzipOf(new Uint8Array(0)), await gzipOf(tar.subarray(cut)));
      for (const chunkSizes of [[members.length], [5, 4093]]) {
        const layer = new context.lib.CompressedStreamLayer(chunkedStream(members, { chunkSizes }).stream);
        assertBytesEqual(await collect(layer.compressed()), members, "three members, passed on as they are");
        assertEqual(await layer.diffID(), await webCryptoDigest(tar), "DiffID of the whole tar");
        assertEqual(await layer.digest(), await webCryptoDigest(members), "Digest");
      }
      const one = await gzipOf(tar);
      const cases: [string, Uint8Array, string][] = [
        ["512 zero bytes of padding", new Uint8Array(512), "trailing-bytes"],
        ["one zero byte", new Uint8Array(1), "trailing-bytes"],
        ["text", new TextEncoder().encode("garbage\n"), "trailing-bytes"],
        ["a second member, cut in its header", one.subarray(0, 6), "corrupt-gzip"],
      ];
      for (const [what, tail, found] of cases) {
        for (const chunkSizes of [[one.length + tail.length], [4096]]) {
          const layer = new context.lib.CompressedStreamLayer(chunkedStream(concat(one, tail), { chunkSizes }).stream);
          const error = await assertRejects(collect(layer.compressed()), "InvalidLayerSourceError", `a gzip then ${what}`);
          assertEqual((error as { found?: string }).found, found, `a gzip then ${what}: found`);
          // Where zeros begin, every runtime can say (Node's zlib stops there); after other bytes, pako alone knows.
          if (what.includes("zero")) assert(error.message.includes(`at byte ${one.length}`), `the message says where the gzip ends: ${error.message}`);
          await assertRejects(layer.diffID(), "InvalidLayerSourceError", `a gzip then ${what}: diffID()`);
        }
      }
    },
  },
  {
    name: "compressed layer: pushed to the registry, the stored blob is the given gzip",
    async run(context) {
      const { lib, registry } = context;
      const repo = `conformance/${context.runtime}-compressed`;
      const tar = await tarOf(context);
      const gzip = await gzipOf(tar);
      const layer = new lib.CompressedStreamLayer(chunkedStream(gzip, { chunkSizes: [30_000] }).stream);
      const descriptor = await lib.writeLayer(`${registry}/${repo}`, layer, { chunkSize: 64 * 1024 });
      assertEqual(descriptor.digest, await webCryptoDigest(gzip), "pushed digest");
      assertEqual(await layer.diffID(), await webCryptoDigest(tar), "DiffID");
      assertBytesEqual(await fetchCheckedBlob(registry, repo, descriptor.digest, descriptor.size), gzip, "the stored blob");
    },
  },
];
