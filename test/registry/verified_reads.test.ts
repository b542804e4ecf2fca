// Pulled layers are checked while they stream, against both registries
// (docker-registry and go-containerregistry's): compressed() against the
// descriptor's digest and size, uncompressed() against the config's DiffID.
// A blob damaged in docker-registry's storage, or on its way through a proxy
// of ours, fails with a typed error where the stream would have ended; the
// right bytes (gzip of one member or many) come through whole, compared with
// what Node's zlib and sha256 make of them.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { appendLayers, CompressedStreamLayer, createTarStream, DigestMismatchError, emptyImage, pullImage, SizeMismatchError, StreamLayer, writeImage } from "../../src/index.ts";
import { RegistryClient, RemoteLayer } from "../../src/registry/index.ts";
import { collect } from "../support/bytes.ts";
import { startFaultProxy, type FaultProxy } from "../support/fault_proxy.ts";
import { REGISTRY_KINDS, type RunningRegistry, startRegistry } from "../support/registry.ts";
import { randomData } from "./_helpers.ts";

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function tarOf(seed: number): Promise<Uint8Array<ArrayBuffer>> {
  return collect(createTarStream([
    { path: "etc/hello.txt", data: "hello\n" },
    { path: "bin/blob", data: randomData(300 * 1024 + 7, seed) },
  ]));
}

async function firstLayer(reference: string): Promise<RemoteLayer> {
  const [layer] = (await pullImage(reference)).layers();
  assert.ok(layer instanceof RemoteLayer);
  return layer;
}

const isMismatch = (error: unknown) => {
  assert.ok(error instanceof DigestMismatchError || error instanceof SizeMismatchError, `a typed mismatch, got ${String(error)}`);
  return true;
};

for (const kind of REGISTRY_KINDS) describe(`verified reads of pulled layers, ${kind}`, () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  before(async () => {
    registry = await startRegistry({ kind });
    proxy = await startFaultProxy(registry.url);
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });

  test("compressed() and uncompressed() of a pushed layer: the blob and the tar, as zlib and sha256 see them", async () => {
    const tar = await tarOf(1);
    await writeImage(`${registry.host}/verify/plain:1`, appendLayers(emptyImage(), new StreamLayer(new Blob([tar]).stream())));
    const layer = await firstLayer(`${registry.host}/verify/plain:1`);
    const blob = await collect(layer.compressed());
    assert.equal(sha256(blob), layer.descriptor.digest);
    assert.ok(Buffer.from(gunzipSync(blob)).equals(Buffer.from(tar)), "zlib gunzips the blob to the tar");
    const uncompressed = await collect(layer.uncompressed());
    assert.ok(Buffer.from(uncompressed).equals(Buffer.from(tar)), "uncompressed() is the tar");
    assert.equal(sha256(uncompressed), await layer.diffID());
  });

  test("a gzip of two members (cat a.gz b.gz): uncompressed() reads both, as zlib does", async () => {
    const tar = await tarOf(2);
    const twoMembers = Buffer.concat([gzipSync(tar.subarray(0, 100_000)), gzipSync(tar.subarray(100_000))]);
    assert.ok(Buffer.from(gunzipSync(twoMembers)).equals(Buffer.from(tar)), "zlib reads the two members as the tar");
    const pushed = new CompressedStreamLayer(new Blob([twoMembers]).stream());
    await writeImage(`${registry.host}/verify/members:1`, appendLayers(emptyImage(), pushed));
    assert.equal(await pushed.diffID(), sha256(tar), "the DiffID computed on the way up covers both members");
    const layer = await firstLayer(`${registry.host}/verify/members:1`);
    assert.ok(Buffer.from(await collect(layer.uncompressed())).equals(Buffer.from(tar)));
  });

  for (const [what, damage] of [["one byte flipped", { flip: 5000 }], ["the last 100 bytes cut", { cut: -100 }]] as const) {
    test(`a blob with ${what} on its way: compressed() and uncompressed() fail typed, the client's getBlob too`, async () => {
      const tar = await tarOf(3);
      const reference = `${proxy.host}/verify/damaged-${"flip" in damage ? "flip" : "cut"}:1`;
      await writeImage(reference, appendLayers(emptyImage(), new StreamLayer(new Blob([tar]).stream())));
      const layer = await firstLayer(reference);
      const { digest, size } = layer.descriptor;
      const action = "flip" in damage ? { kind: "corrupt-body" as const, flip: damage.flip } : { kind: "corrupt-body" as const, cut: size + damage.cut };
      proxy.setRule((request) => (request.method === "GET" && request.url.endsWith(`/blobs/${digest}`) ? action : undefined));
      try {
        await assert.rejects(collect(layer.compressed()), isMismatch);
        await assert.rejects(collect(layer.uncompressed()), isMismatch);
        const client = new RegistryClient(`${proxy.host}/verify/damaged-${"flip" in damage ? "flip" : "cut"}`);
        await assert.rejects(collect(await client.getBlob(digest)), isMismatch);
      } finally {
        proxy.setRule(() => undefined);
      }
      assert.ok(proxy.log.some((entry) => entry.action === "corrupt-body"), "the proxy damaged the body");
    });
  }

  if (kind === "docker-registry") {
    for (const what of ["one byte flipped", "100 bytes cut"] as const) {
      test(`a blob with ${what} in docker-registry's storage: compressed() and uncompressed() fail typed`, async () => {
        const tar = await tarOf(4);
        const reference = `${registry.host}/verify/storage-${what.startsWith("one") ? "flip" : "cut"}:1`;
        await writeImage(reference, appendLayers(emptyImage(), new StreamLayer(new Blob([tar]).stream())));
        const layer = await firstLayer(reference);
        const hex = layer.descriptor.digest.slice("sha256:".length);
        const file = join(registry.dir, "data/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
        if (what === "one byte flipped") {
          const bytes = readFileSync(file);
          bytes.writeUInt8(bytes.readUInt8(4000) ^ 0x01, 4000);
          writeFileSync(file, bytes);
        } else {
          truncateSync(file, layer.descriptor.size - 100);
        }
        await assert.rejects(collect(layer.compressed()), (error) => isMismatch(error) && (what === "100 bytes cut") === error instanceof SizeMismatchError);
        await assert.rejects(collect(layer.uncompressed()), isMismatch);
      });
    }
  }
});
