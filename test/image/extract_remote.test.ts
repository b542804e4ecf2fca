// extractImage on pulled images, against both registries: the layers come
// through RemoteLayer.uncompressed() (checked against digest and DiffID), a
// corrupted blob in docker-registry's storage ends the tar with a typed
// error, and a slow reader holds the registry back (backpressure): what is
// pulled from a layer stays within a few buffers of what was read.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { unpackTar } from "modern-tar";
import { appendLayers, createTarStream, emptyImage, extractImage, isStreamLayerError, type Layer, pullImage, StreamLayer, writeImage } from "../../src/index.ts";
import { REGISTRY_KINDS, type RegistryKind, type RunningRegistry, startRegistry } from "../support/registry.ts";

const registries = new Map<RegistryKind, RunningRegistry>();
before(async () => {
  for (const registry of await Promise.all(REGISTRY_KINDS.map((kind) => startRegistry({ kind })))) registries.set(registry.kind, registry);
});
after(async () => {
  await Promise.all([...registries.values()].map((registry) => registry.stop()));
});

function layer(files: Record<string, string>): StreamLayer {
  return new StreamLayer(createTarStream(Object.entries(files).map(([path, data]) => ({ path, data }))));
}

async function pushTwoLayers(reference: string): Promise<StreamLayer[]> {
  const layers = [layer({ "etc/motd": "old\n", "var/cache/x": "x".repeat(300_000) }), layer({ "etc/motd": "new\n", "var/.wh.cache": "" })];
  await writeImage(reference, appendLayers(emptyImage(), ...layers));
  return layers;
}

for (const kind of REGISTRY_KINDS) {
  test(`${kind}: extractImage of a pulled image reads its layers from the registry`, async () => {
    const reference = `${registries.get(kind)!.host}/extract/app:1`;
    await pushTwoLayers(reference);
    const entries = await unpackTar(extractImage(await pullImage(reference)));
    assert.deepEqual(entries.map(({ header, data }) => [header.name, new TextDecoder().decode(data)]), [["etc/motd", "new\n"]]);
  });
}

test("docker-registry: a layer blob with one byte flipped in storage ends the tar with a typed error, never a clean end", async () => {
  const registry = registries.get("docker-registry")!;
  const reference = `${registry.host}/extract/corrupt:1`;
  const [lower] = await pushTwoLayers(reference);
  const hex = (await lower!.digest()).slice("sha256:".length);
  const data = join(registry.dir, "data/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  const bytes = readFileSync(data);
  bytes[bytes.length - 12]! ^= 0x01; // inside the deflate data's end or the trailer
  writeFileSync(data, bytes);
  const error = await new Response(extractImage(await pullImage(reference))).arrayBuffer().then(() => undefined, (e: unknown) => e);
  assert.ok(isStreamLayerError(error), String(error));
  assert.equal(error.code, "DIGEST_MISMATCH", error.message); // the blob is checked before its stream may end, so before gunzip sees its trailer
});

test("a slow reader holds the layer back: what is pulled from the source stays within a few buffers of what was read", async () => {
  const size = 64 * 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const header = new Uint8Array(512);
  const name = new TextEncoder().encode("big");
  header.set(name, 0);
  const field = (offset: number, length: number, value: string): void => header.set(new TextEncoder().encode(value.padStart(length - 1, "0")), offset);
  field(100, 8, "644");
  field(108, 8, "0");
  field(116, 8, "0");
  field(124, 12, size.toString(8));
  field(136, 12, "0");
  header[156] = 0x30;
  header.set(new TextEncoder().encode("ustar\u000000"), 257);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, "0")}\u0000 `), 148);

  let pulled = 0;
  let sent = 0;
  const source = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let next: Uint8Array;
        if (sent === 0) next = header;
        else if (sent < 512 + size) next = chunk.subarray(0, Math.min(chunk.length, 512 + size - sent));
        else if (sent < 512 + size + 1024) next = new Uint8Array(1024);
        else return controller.close();
        sent += next.length;
        pulled += next.length;
        controller.enqueue(next);
      },
    },
    { highWaterMark: 0 },
  );
  const tarLayer: Layer = {
    mediaType: () => "application/vnd.oci.image.layer.v1.tar",
    compressed: () => source,
    digest: () => Promise.reject(new Error("not needed")),
    diffID: () => Promise.reject(new Error("not needed")),
    size: () => Promise.reject(new Error("not needed")),
  };
  const reader = extractImage(appendLayers(emptyImage(), tarLayer)).getReader();
  let read = (await reader.read()).value?.length ?? 0;
  // Let every stage fill what it will: nothing reads the output meanwhile.
  for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(pulled - read <= 4 * 1024 * 1024, `pulled ${pulled} bytes with ${read} read`); // measured: 1.19 MiB (the tar reader holds up to 1 MiB)
  assert.ok(pulled < size / 2);
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    read += next.value.length;
  }
  assert.equal(pulled, 512 + size + 1024);
  assert.equal(read, 512 + size + 1024, "header, body, end of archive");
});
