// Pulled zstd layers are decompressed by uncompressed() (zstd's decoder in
// WebAssembly, the DiffID checked as the tar streams), from both real
// registries and from an OCI layout that skopeo wrote: the tar must be what
// `zstd -d` makes of the blob the registry serves (compared by sha256sum),
// for one frame by zstd(1), frames by zstd(1) concatenated, and our own
// layers of 2 MiB frames.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { appendLayers, CompressedStreamLayer, DigestMismatchError, emptyImage, InvalidLayerSourceError, OCI_LAYER_ZSTD, pullImage, StreamLayer, writeImage, type Layer } from "../../src/index.ts";
import { readLayout } from "../../src/layout/index.ts";
import { RegistryClient, RemoteLayer } from "../../src/registry/index.ts";
import { skopeo } from "../image/_image_tools.ts";
import { collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { REGISTRY_KINDS, startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256, sha256sum, temporaryDirectory } from "../support/tools.ts";

const run = promisify(execFile);
const MiB = 1024 * 1024;

function zstdCli(bytes: Uint8Array, ...args: string[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(execFileSync("zstd", ["-q", "-c", ...args], { input: bytes, maxBuffer: 64 * MiB }));
}

/** `zstd -d -c file | sha256sum`: the tar as zstd(1) sees the blob. */
async function zstdDecompressedSha256(file: string): Promise<string> {
  const { stdout } = await run("bash", ["-c", `zstd -d -c '${file}' | sha256sum`]);
  return `sha256:${stdout.split(" ")[0]}`;
}

const tar = withTarHeader(tarLikeBytes(5 * MiB + 4321, 81));
const cut = 1_234_567;
const SOURCES: [string, () => Layer][] = [
  ["one frame by zstd -19 (with a checksum)", () => new CompressedStreamLayer(new Blob([zstdCli(tar, "-19", "--check")]).stream(), { compression: "zstd" })],
  ["frames by zstd concatenated (-1, then -3 without a checksum)", () => new CompressedStreamLayer(new Blob([zstdCli(tar.subarray(0, cut), "-1"), zstdCli(tar.subarray(cut), "-3", "--no-check")]).stream(), { compression: "zstd" })],
  ["StreamLayer's 2 MiB frames", () => new StreamLayer(new Blob([tar]).stream(), { compression: "zstd", level: 5 })],
];

let work: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (work = await temporaryDirectory()));
after(() => work?.remove());

for (const kind of REGISTRY_KINDS) {
  describe(`pulled zstd layers from ${kind}`, () => {
    let registry: RunningRegistry;
    before(async () => (registry = await startRegistry({ kind })));
    after(() => registry?.stop());

    for (const [index, [what, source]] of SOURCES.entries()) {
      test(`${what}: uncompressed() of the pulled layer and of skopeo's OCI layout is what zstd -d makes of the served blob`, async () => {
        const reference = `${registry.host}/zstd-pulled/${index}:v1`;
        const pushedLayer = source();
        await writeImage(reference, appendLayers(emptyImage(), pushedLayer));

        const [pulled] = (await pullImage(reference)).layers();
        assert.ok(pulled instanceof RemoteLayer);
        assert.equal(pulled.mediaType(), OCI_LAYER_ZSTD);
        const served = await collect(pulled.compressed());
        const blobFile = join(work.path, `${kind}-${index}.tar.zst`);
        await writeFile(blobFile, served);
        assert.equal(await sha256sum(blobFile), await pushedLayer.digest(), "the served blob is the pushed one");
        const expected = await zstdDecompressedSha256(blobFile);
        assert.equal(expected, sha256(tar), "zstd -d of the served blob is the tar");

        const decompressed = await collect(pulled.uncompressed());
        assert.equal(sha256(decompressed), expected, "uncompressed() of the pulled layer");

        const layout = join(work.path, `layout-${kind}-${index}`);
        await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${layout}:v1`);
        const [stored] = (await readLayout(layout, { tag: "v1" })).layers() as (Layer & { uncompressed(): ReadableStream<Uint8Array> })[];
        assert.equal(sha256(await collect(stored!.uncompressed())), expected, "uncompressed() of the layout's layer");
      });
    }

    test("a zstd layer whose config names another DiffID: DigestMismatchError where the stream would end; a blob that is not zstd: InvalidLayerSourceError (corrupt-zstd)", async () => {
      const reference = `${registry.host}/zstd-pulled/wrong:v1`;
      await writeImage(reference, appendLayers(emptyImage(), new StreamLayer(new Blob([tar]).stream(), { compression: "zstd" })));
      const [pulled] = (await pullImage(reference)).layers();
      assert.ok(pulled instanceof RemoteLayer);
      const client = new RegistryClient(`${registry.host}/zstd-pulled/wrong`);
      const wrongDiffID = new RemoteLayer(client, pulled.descriptor, sha256(new Uint8Array(1)));
      await assert.rejects(collect(wrongDiffID.uncompressed()), DigestMismatchError);
      // A gzip layer's blob named as zstd: its bytes match its digest, but zstd cannot read them.
      await writeImage(`${registry.host}/zstd-pulled/gzip:v1`, appendLayers(emptyImage(), new StreamLayer(new Blob([tar]).stream())));
      const [gzipLayer] = (await pullImage(`${registry.host}/zstd-pulled/gzip:v1`)).layers();
      assert.ok(gzipLayer instanceof RemoteLayer);
      const misnamed = new RemoteLayer(new RegistryClient(`${registry.host}/zstd-pulled/gzip`), { ...gzipLayer.descriptor, mediaType: OCI_LAYER_ZSTD }, sha256(tar));
      await assert.rejects(collect(misnamed.uncompressed()), (error: unknown) => error instanceof InvalidLayerSourceError && error.found === "corrupt-zstd");
    });
  });
}
