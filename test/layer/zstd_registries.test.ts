// zstd images pushed to both real registries (Debian's docker-registry and
// go-containerregistry's), judged by tools that are not ours: skopeo copies
// the image into an OCI layout (which verifies every blob against its
// digest) and reads the config, and `zstd -d` of the layer blob as the
// registry serves it gives back the tar whose sha256 is the DiffID.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { appendLayers, emptyImage, OCI_LAYER_ZSTD, StreamLayer, writeImage, writeLayer } from "../../src/index.ts";
import { chunkedStream, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { REGISTRY_KINDS, startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256, temporaryDirectory } from "../support/tools.ts";
import { skopeo, skopeoJson, tarball, type InspectedConfig } from "../image/_image_tools.ts";

const run = promisify(execFile);
const noTls = "--tls-verify=false";
const MiB = 1024 * 1024;

interface RawManifest {
  mediaType: string;
  layers: { mediaType: string; digest: string; size: number }[];
}

let work: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (work = await temporaryDirectory()));
after(() => work.remove());

for (const kind of REGISTRY_KINDS) {
  describe(`zstd layers on ${kind}`, () => {
    let registry: RunningRegistry;
    before(async () => (registry = await startRegistry({ kind })));
    after(() => registry?.stop());

    test("an image of two zstd layers: skopeo copies it (verifying every blob) and reads its DiffIDs; zstd -d of each pushed blob is its tar", async () => {
      const small = await tarball({ "etc/hello.txt": "hello zstd\n" });
      const large = withTarHeader(tarLikeBytes(5 * MiB + 333, 31));
      const layers = [
        new StreamLayer(chunkedStream(small.bytes, { chunkSizes: [100] }).stream, { compression: "zstd" }),
        new StreamLayer(chunkedStream(large, { chunkSizes: [65_536, 7] }).stream, { compression: "zstd", level: 9 }),
      ];
      const reference = `${registry.host}/zstd/two:v1`;
      await writeImage(reference, appendLayers(emptyImage(), ...layers), { insecure: true });

      const raw = await skopeoJson<RawManifest>("inspect", "--raw", noTls, `docker://${reference}`);
      assert.deepEqual(raw.layers.map((layer) => layer.mediaType), [OCI_LAYER_ZSTD, OCI_LAYER_ZSTD]);
      const layout = join(work.path, `two-${kind}`);
      await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${layout}:v1`);
      const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
      assert.deepEqual(config.rootfs.diff_ids, [small.diffID, sha256(large)]);

      for (const [index, tar] of [small.bytes, large].entries()) {
        const descriptor = raw.layers[index]!;
        assert.equal(descriptor.digest, await layers[index]!.digest());
        const served = new Uint8Array(await (await fetch(`${registry.url}/v2/zstd/two/blobs/${descriptor.digest}`)).arrayBuffer());
        assert.equal(served.length, descriptor.size);
        const blobFile = join(layout, "blobs/sha256", descriptor.digest.slice("sha256:".length));
        assert.deepEqual(new Uint8Array(await readFile(blobFile)), served, "skopeo's copy is the served blob");
        const { stdout } = await run("zstd", ["-d", "-c", blobFile], { encoding: "buffer", maxBuffer: 64 * MiB });
        assert.equal(sha256(stdout), sha256(tar), `zstd -d gives layer ${index}'s tar back`);
      }
    });

    test("writeLayer pushes a zstd layer of 0 bytes and of 1 byte, each fetched back whole", async () => {
      for (const bytes of [new Uint8Array(0), new Uint8Array([0x2a])]) {
        const layer = new StreamLayer(new Blob([bytes]).stream(), { compression: "zstd", requireTar: false });
        const descriptor = await writeLayer(`${registry.host}/zstd/small`, layer, { insecure: true });
        assert.equal(descriptor.mediaType, OCI_LAYER_ZSTD);
        const served = new Uint8Array(await (await fetch(`${registry.url}/v2/zstd/small/blobs/${descriptor.digest}`)).arrayBuffer());
        assert.equal(sha256(served), descriptor.digest);
        assert.deepEqual(new Uint8Array(execFileSync("zstd", ["-d", "-c"], { input: served })), bytes, "zstd -d gives the input back");
      }
    });
  });
}
