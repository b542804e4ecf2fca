// CompressedStreamLayer: a .tar.gz made by tar(1) and by pigz, pushed as it is;
// its values checked with sha256sum and gunzip, and the image with skopeo; the
// read-once semantics of StreamLayer; backpressure in lockstep; refusals.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { appendLayers, CompressedStreamLayer, ConsumedError, emptyImage, InvalidLayerSourceError, NotComputedError, UncompressedUnavailableError, writeImage } from "../../src/index.ts";
import { skopeoJson, type InspectedConfig } from "../image/_image_tools.ts";
import { chunkedStream, collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { gunzip, sha256sum, temporaryDirectory, writeTemporaryFile } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const MiB = 1024 * 1024;

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
let registry: RunningRegistry;
before(async () => {
  directory = await temporaryDirectory();
  registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
  await directory?.remove();
});

/** `tar -czf` (or `tar -c | pigz`) of examples/rootfs plus a file of mixed bytes, written to a file. */
function tarGz(name: string, compressor: "gzip" | "pigz"): string {
  const path = join(directory.path, name);
  const extra = join(directory.path, "extra");
  execFileSync("bash", ["-c", `mkdir -p ${extra} && head -c 3000000 /dev/urandom > ${extra}/noise && tar -cf - -C ${ROOT}/examples/rootfs . -C ${extra} noise | ${compressor} > ${path}`]);
  return path;
}

async function gzipOf(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await collect(new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("gzip"))));
}

describe("CompressedStreamLayer from a .tar.gz", () => {
  for (const compressor of ["gzip", "pigz"] as const) {
    test(`made by tar | ${compressor}: digest and size are the file's, DiffID is gunzip's, the bytes pass unchanged`, async () => {
      const file = tarGz(`layer-${compressor}.tar.gz`, compressor);
      const bytes = readFileSync(file);
      const layer = new CompressedStreamLayer(chunkedStream(bytes, { chunkSizes: [1000, 70_000] }).stream);
      const out = await collect(layer.compressed());
      assert.ok(Buffer.from(out).equals(bytes), "the stream hands out the given bytes");
      assert.equal(await layer.digest(), await sha256sum(file));
      const tar = await gunzip(file);
      const tarFile = await writeTemporaryFile(directory.path, "layer.tar", tar);
      assert.equal(await layer.diffID(), await sha256sum(tarFile));
      assert.equal(await layer.size(), bytes.length);
      assert.equal(layer.bytesRead(), bytes.length);
      assert.deepEqual(layer.computed(), { digest: await layer.digest(), diffID: await layer.diffID(), size: bytes.length });
    });
  }

  test("pushed by the library in an image: skopeo sees the file's digest as the layer and gunzip's as the DiffID", async () => {
    const file = tarGz("pushed.tar.gz", "gzip");
    const reference = `${registry.host}/compressed/app:v1`;
    const source = new Blob([readFileSync(file)]).stream();
    await writeImage(reference, appendLayers(emptyImage(), new CompressedStreamLayer(source)), { chunkSize: MiB });
    const raw = await skopeoJson<{ layers: { digest: string; size: number }[] }>("inspect", "--raw", "--tls-verify=false", `docker://${reference}`);
    assert.deepEqual(raw.layers.map((l) => l.digest), [await sha256sum(file)]);
    const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
    const tarFile = await writeTemporaryFile(directory.path, "pushed.tar", await gunzip(file));
    assert.deepEqual(config.rootfs.diff_ids, [await sha256sum(tarFile)]);
  });
});

describe("CompressedStreamLayer semantics", () => {
  const smallTarGz = () => gzipOf(new Uint8Array(1024));

  test("compressed() once, then ConsumedError; uncompressed() always fails; values only at the end", async () => {
    const gzip = await gzipOf(withTarHeader(tarLikeBytes(MiB, 3)));
    const layer = new CompressedStreamLayer(chunkedStream(gzip, { chunkSizes: [4096] }).stream);
    assert.throws(() => layer.computed(), NotComputedError);
    const reader = layer.compressed().getReader();
    assert.throws(() => layer.compressed(), ConsumedError);
    assert.throws(() => layer.uncompressed(), UncompressedUnavailableError);
    await reader.read();
    assert.throws(() => layer.computed(), NotComputedError);
    const pending = Symbol("pending");
    await nextMacrotask();
    assert.equal(await Promise.race([layer.digest(), pending]), pending);
    while (!(await reader.read()).done);
    assert.match(layer.computed().diffID, /^sha256:[0-9a-f]{64}$/);
  });

  test("a cancel cancels the source and rejects the values with NotComputedError", async () => {
    const gzip = await gzipOf(withTarHeader(tarLikeBytes(4 * MiB, 4)));
    const { stream, record } = chunkedStream(gzip, { chunkSizes: [16_384] });
    const layer = new CompressedStreamLayer(stream);
    const reader = layer.compressed().getReader();
    await reader.read();
    const reason = new Error("stop");
    await reader.cancel(reason);
    assert.deepEqual(record.cancelled, { reason });
    for (const value of [layer.digest(), layer.diffID(), layer.size()]) {
      await assert.rejects(value, (error: unknown) => error instanceof NotComputedError && error.cause === reason);
    }
    assert.ok(record.pulled < gzip.length);
  });

  test("cancels at many points, up to the last chunk, while zlib decompresses a chunk of 1 MiB: every value settles", async () => {
    const tar = withTarHeader(tarLikeBytes(6 * MiB, 9));
    const gzip = await gzipOf(tar);
    const chunks = Math.ceil(gzip.length / MiB);
    for (let reads = 1; reads <= chunks + 1; reads++) {
      const layer = new CompressedStreamLayer(chunkedStream(gzip, { chunkSizes: [MiB] }).stream);
      const reader = layer.compressed().getReader();
      let done = false;
      for (let read = 0; read < reads && !done; read++) done = (await reader.read()).done;
      const settled = await Promise.allSettled([reader.cancel(new Error("stop")), layer.digest(), layer.diffID(), layer.size()]);
      // Read to its end: the values are known; else NotComputedError.
      for (const outcome of settled.slice(1)) assert.ok(done ? outcome.status === "fulfilled" : outcome.status === "rejected" && outcome.reason instanceof NotComputedError, `after ${reads} reads`);
    }
  });

  test("a failing source fails the stream and the values with its own error", async () => {
    const gzip = await gzipOf(withTarHeader(tarLikeBytes(2 * MiB, 5)));
    const failure = new Error("disk gone");
    const layer = new CompressedStreamLayer(chunkedStream(gzip, { chunkSizes: [10_000], failWith: failure, failAfter: 100_000 }).stream);
    await assert.rejects(collect(layer.compressed()), (error) => error === failure);
    await assert.rejects(layer.diffID(), (error) => error === failure);
  });

  test("the source is read only as the consumer reads, even for a gzip that decompresses 1000-fold", async () => {
    const gzip = await gzipOf(new Uint8Array(256 * MiB)); // about 256 KiB
    const { stream, record } = chunkedStream(gzip, { chunkSizes: [1024] });
    const reader = new CompressedStreamLayer(stream).compressed().getReader();
    await reader.read();
    for (let i = 0; i < 20; i++) await nextMacrotask();
    const pulled = record.pulled;
    for (let i = 0; i < 20; i++) await nextMacrotask();
    assert.equal(record.pulled, pulled, "nothing more is read while the consumer waits");
    assert.ok(pulled <= 4 * 1024, `read ahead ${pulled} bytes`);
    await reader.cancel();
  });

  test("refusals: a tar, an empty source, a truncated or corrupt gzip, a gzip of random bytes or of a gzip", async () => {
    const tarGzBytes = await gzipOf(withTarHeader(tarLikeBytes(300_000, 6)));
    const corrupt = tarGzBytes.slice();
    corrupt.fill(0xff, 100, 200);
    const cases: [string, Uint8Array, string, RegExp][] = [
      ["a tar", withTarHeader(tarLikeBytes(10_000, 7)), "not-gzip", /expected gzip.*StreamLayer/],
      ["empty", new Uint8Array(0), "not-gzip", /no bytes/],
      ["truncated", tarGzBytes.subarray(0, tarGzBytes.length - 100), "corrupt-gzip", /cannot be decompressed/],
      ["corrupt", corrupt, "corrupt-gzip", /cannot be decompressed/],
      ["gzip of random bytes", await gzipOf(tarLikeBytes(100_000, 8)), "not-tar", /decompressed layer.*not a tar/],
      ["gzip of a gzip", await gzipOf(tarGzBytes), "gzip", /compressed twice/],
    ];
    for (const [what, bytes, found, message] of cases) {
      const layer = new CompressedStreamLayer(chunkedStream(bytes, { chunkSizes: [8192] }).stream);
      await assert.rejects(collect(layer.compressed()), (error: unknown) => error instanceof InvalidLayerSourceError && error.found === found && message.test(error.message), what);
      await assert.rejects(layer.digest(), InvalidLayerSourceError, `${what}: digest()`);
    }
    const random = new CompressedStreamLayer(new Blob([await gzipOf(tarLikeBytes(100_000, 8))]).stream(), { requireTar: false });
    await collect(random.compressed());
    assert.match(await random.diffID(), /^sha256:/, "requireTar: false takes a gzip of any bytes");
  });
});
