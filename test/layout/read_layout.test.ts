// readLayout against layouts skopeo wrote: read back, pushed with writeImage,
// judged by skopeo; blobs checked as they stream (a flipped byte, a cut file,
// a longer file); the tag chosen, or refused with the tags there are.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, appendFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { unpackTar } from "modern-tar";
import { appendLayers, DigestMismatchError, emptyImage, extractImage, SizeMismatchError, StreamLayer, writeImage, writeIndex } from "../../src/index.ts";
import { InvalidLayoutError, LayoutImageNotFoundError, readLayout, readLayoutImages, writeLayout } from "../../src/layout/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { temporaryDirectory } from "../support/tools.ts";
import { type Inspected, type InspectedConfig, skopeo, skopeoJson, streamOf, tarball } from "../image/_image_tools.ts";

let docker: RunningRegistry;
let ggcr: RunningRegistry;
let work: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => {
  [docker, ggcr, work] = await Promise.all([startRegistry(), startRegistry({ kind: "ggcr" }), temporaryDirectory("streamlayer-read-layout-")]);
});
after(async () => {
  await Promise.all([docker?.stop(), ggcr?.stop(), work?.remove()]);
});

const noTls = "--tls-verify=false";

interface LayoutIndex {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}

/** An image pushed to docker-registry, then copied by skopeo into a fresh layout under `tag`. */
async function skopeoLayout(name: string, tag: string): Promise<{ layout: string; digests: string[]; diffIDs: string[] }> {
  const tars = [await tarball({ "etc/motd": `${name}\n` }), await tarball({ "app/run": "#!/bin/sh\n", "etc/motd": "upper\n" })];
  const layers = tars.map(({ bytes }) => new StreamLayer(streamOf(bytes)));
  await writeImage(`${docker.host}/source/${name}:1`, appendLayers(emptyImage({ architecture: "arm64", config: { Cmd: ["/app/run"] } }), ...layers));
  const layout = join(work.path, name);
  await skopeo("copy", "--src-tls-verify=false", `docker://${docker.host}/source/${name}:1`, `oci:${layout}:${tag}`);
  return { layout, digests: await Promise.all(layers.map((layer) => layer.digest())), diffIDs: tars.map((t) => t.diffID) };
}

function layoutManifestDigest(layout: string, tag: string): string {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as LayoutIndex;
  const entry = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
  assert.ok(entry, `skopeo tagged ${tag}`);
  return entry.digest;
}

test("a layout skopeo wrote is read back and pushed to go-containerregistry's registry: skopeo sees the same manifest, layers and config", async () => {
  const { layout, digests, diffIDs } = await skopeoLayout("pushed", "v1");
  const image = await readLayout(layout, { tag: "v1" });
  const reference = `${ggcr.host}/from-layout/pushed:v1`;
  const descriptor = await writeImage(reference, image);

  const expected = layoutManifestDigest(layout, "v1");
  assert.equal(descriptor.digest, expected, "the layout's manifest, byte for byte");
  const inspected = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
  assert.equal(inspected.Digest, expected);
  assert.deepEqual(inspected.Layers, digests);
  assert.equal(inspected.Architecture, "arm64");
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, diffIDs);
  // skopeo copies it back out as it went in.
  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work.path, "round-trip")}:v1`);
  assert.equal(layoutManifestDigest(join(work.path, "round-trip"), "v1"), expected);
});

test("a layout's image extracts: its layers are read through uncompressed(), checked against their DiffIDs", async () => {
  const { layout } = await skopeoLayout("extracted", "v1");
  const entries = await unpackTar(extractImage(await readLayout(layout, { tag: "v1" })));
  assert.deepEqual(
    entries.map(({ header, data }) => [header.name, new TextDecoder().decode(data)]),
    [["app/run", "#!/bin/sh\n"], ["etc/motd", "upper\n"]],
  );
});

/** A layout written by writeLayout with one layer, and the path of that layer's blob. */
async function layoutWithBlob(name: string): Promise<{ layout: string; blob: string }> {
  const { bytes } = await tarball({ "a.txt": "a".repeat(100_000) });
  const layer = new StreamLayer(streamOf(bytes));
  const layout = join(work.path, name);
  await writeLayout(layout, appendLayers(emptyImage(), layer), { tag: "t" });
  return { layout, blob: join(layout, "blobs", "sha256", (await layer.digest()).slice("sha256:".length)) };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<unknown> {
  return new Response(stream).arrayBuffer().then(() => undefined, (error: unknown) => error);
}

test("a layer blob with one byte flipped fails compressed() with DigestMismatchError, and the push to a registry with it", async () => {
  const { layout, blob } = await layoutWithBlob("flipped");
  const bytes = readFileSync(blob);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(blob, bytes);
  const image = await readLayout(layout, { tag: "t" });
  const error = await readAll(image.layers()[0]!.compressed());
  assert.ok(error instanceof DigestMismatchError, String(error));
  await assert.rejects(writeImage(`${docker.host}/flipped/x:1`, image));
  assert.equal((await fetch(`${docker.url}/v2/flipped/x/manifests/1`, { method: "HEAD" })).status, 404, "no manifest pushed");
});

test("a layer blob cut short, or longer than its descriptor, fails with SizeMismatchError before the stream ends", async () => {
  const cut = await layoutWithBlob("cut");
  truncateSync(cut.blob, 100);
  const shortError = await readAll((await readLayout(cut.layout)).layers()[0]!.compressed());
  assert.ok(shortError instanceof SizeMismatchError, String(shortError));
  assert.equal(shortError.actual, 100);

  const longer = await layoutWithBlob("longer");
  appendFileSync(longer.blob, new Uint8Array(20 * 1024 * 1024));
  const reader = (await readLayout(longer.layout)).layers()[0]!.compressed().getReader();
  let read = 0;
  const longError = await (async () => {
    for (;;) {
      const next = await reader.read();
      if (next.done) return undefined;
      read += next.value.length;
    }
  })().catch((error: unknown) => error);
  assert.ok(longError instanceof SizeMismatchError, String(longError));
  const { size } = (await readLayout(longer.layout)).layers()[0]!.computed!();
  assert.ok(read <= size, `handed out ${read} bytes of a ${size}-byte blob`);
});

test("readLayout chooses the entry by tag, and refuses a tag the layout has not with the tags it has", async () => {
  const layout = join(work.path, "tags");
  for (const tag of ["one", "two"]) {
    const { bytes } = await tarball({ "tag.txt": tag });
    await writeLayout(layout, appendLayers(emptyImage(), new StreamLayer(streamOf(bytes))), { tag });
  }
  const two = await readLayout(layout, { tag: "two" });
  const entries = await unpackTar(extractImage(two));
  assert.equal(new TextDecoder().decode(entries[0]?.data), "two");
  await assert.rejects(readLayout(layout, { tag: "three" }), (error) => error instanceof LayoutImageNotFoundError && error.tags.join() === "one,two");
  await assert.rejects(readLayout(layout), (error) => error instanceof LayoutImageNotFoundError && /several images/.test(error.message));
});

interface RawIndex {
  mediaType: string;
  manifests: { digest: string; platform?: { os: string; architecture: string } }[];
}

test("a multi-platform layout skopeo copy --all wrote: every image with its platform, pushed again as an index with writeIndex", async () => {
  const source = `${docker.host}/source/multi:1`;
  const entries = [];
  for (const architecture of ["amd64", "arm64"]) {
    const { bytes } = await tarball({ "etc/arch": architecture });
    entries.push({ image: appendLayers(emptyImage({ architecture }), new StreamLayer(streamOf(bytes))) });
  }
  await writeIndex(source, entries);
  const layout = join(work.path, "multi");
  await skopeo("copy", "--all", "--src-tls-verify=false", `docker://${source}`, `oci:${layout}:multi`);

  const images = await readLayoutImages(layout, { tag: "multi" });
  assert.deepEqual(images.map(({ platform }) => platform?.architecture), ["amd64", "arm64"]);
  const destination = `${ggcr.host}/from-layout/multi:1`;
  await writeIndex(destination, images);
  const from = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${source}`)) as RawIndex;
  const to = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${destination}`)) as RawIndex;
  assert.deepEqual(to.manifests.map((m) => [m.digest, m.platform]), from.manifests.map((m) => [m.digest, m.platform]));
  const arm = await skopeoJson<Inspected>("inspect", noTls, "--override-arch", "arm64", `docker://${destination}`);
  assert.equal(arm.Architecture, "arm64");
  // readLayout picks one platform out of the same index.
  const picked = await readLayout(layout, { tag: "multi", platform: { os: "linux", architecture: "arm64" } });
  assert.equal((await picked.values()).descriptor.digest, from.manifests[1]?.digest);
});

test("a hostile index.json is refused with InvalidLayoutError: a digest that would climb out of blobs/, a file too large to be an index", async () => {
  const layout = join(work.path, "hostile");
  const { bytes } = await tarball({ "a": "a" });
  await writeLayout(layout, appendLayers(emptyImage(), new StreamLayer(streamOf(bytes))), { tag: "t" });
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as LayoutIndex;
  index.manifests[0]!.digest = "sha256:../../../../etc/passwd";
  writeFileSync(join(layout, "index.json"), JSON.stringify(index));
  await assert.rejects(readLayout(layout, { tag: "t" }), (error) => error instanceof InvalidLayoutError);
  writeFileSync(join(layout, "index.json"), " ".repeat(5 * 1024 * 1024));
  await assert.rejects(readLayout(layout, { tag: "t" }), (error) => error instanceof InvalidLayoutError && /read only up to/.test(error.message));
});
