// writeIndex against both real registries (Debian's docker-registry and
// go-containerregistry's): two platforms, each image a streaming layer made
// from a tar stream, written under one tag. skopeo is the judge (--raw for
// the index, --override-arch/--override-os for each platform), pullImage with
// a platform picks the right entry of what was written (its layer's bytes
// gunzip, by node:zlib, to the tar whose sha256 node:crypto computed), and
// every source is a counting stream: read once, whatever the images share.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { appendLayers, emptyImage, type ImageFormat, type IndexUploadProgress, type Platform, pullImage, StreamLayer, writeIndex } from "../../src/index.ts";
import { REGISTRY_KINDS, startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256, temporaryDirectory } from "../support/tools.ts";
import { type Inspected, skopeo, skopeoJson, tarball } from "./_image_tools.ts";

const noTls = "--tls-verify=false";
const AMD64 = { os: "linux", architecture: "amd64" };
const ARM64 = { os: "linux", architecture: "arm64" };

interface RawIndex {
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform: Platform }[];
}

/** A tar's bytes as one stream that counts what it gives. */
class CountingSource {
  given = 0;
  cancelled: unknown = undefined;
  /** Resolves when the first chunk is asked for. */
  readonly started: Promise<void>;
  #markStarted!: () => void;

  constructor(readonly bytes: Uint8Array, private readonly gate?: Promise<void>) {
    this.started = new Promise((resolve) => (this.#markStarted = resolve));
  }

  stream(): ReadableStream<Uint8Array> {
    let offset = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        this.#markStarted();
        // The second chunk waits on the gate: the source stays open until then.
        if (offset > 0 && this.gate) await this.gate;
        const chunk = this.bytes.subarray(offset, offset + 4096);
        offset += chunk.length;
        this.given += chunk.length;
        if (chunk.length > 0) controller.enqueue(chunk.slice());
        if (offset >= this.bytes.length) controller.close();
      },
      cancel: (reason) => {
        this.cancelled = reason;
      },
    }, { highWaterMark: 0 });
  }
}

async function platformTar(architecture: string): Promise<{ bytes: Uint8Array; diffID: string }> {
  // Big enough for several chunks of the counting source, different per platform.
  return tarball({ "etc/arch": `${architecture}\n`, "app/payload": `${architecture} `.repeat(5000) });
}

async function rawIndex(reference: string): Promise<{ text: string; index: RawIndex }> {
  const text = await skopeo("inspect", noTls, "--raw", `docker://${reference}`);
  return { text, index: JSON.parse(text) as RawIndex };
}

function inspectArch(reference: string, architecture: string): Promise<Inspected> {
  return skopeoJson<Inspected>("inspect", noTls, "--override-os", "linux", "--override-arch", architecture, `docker://${reference}`);
}

/** The digest of the image skopeo picks for an architecture: it copies that image alone, its manifest as it is, to a dir: and node:crypto hashes the manifest. */
async function skopeoImageDigest(reference: string, architecture: string): Promise<string> {
  const directory = await temporaryDirectory("streamlayer-index-");
  try {
    await skopeo("copy", "--src-tls-verify=false", "--override-os", "linux", "--override-arch", architecture, `docker://${reference}`, `dir:${directory.path}`);
    return sha256(await readFile(join(directory.path, "manifest.json")));
  } finally {
    await directory.remove();
  }
}

/** The bytes of a pulled image's only layer, as the registry serves them. */
async function layerBytes(reference: string, platform: Platform): Promise<{ digest: string; gzip: Uint8Array }> {
  const image = await pullImage(reference, { platform });
  const { manifest } = await image.values();
  assert.equal(manifest.layers.length, 1);
  const gzip = new Uint8Array(await new Response(image.layers()[0]!.compressed()).arrayBuffer());
  return { digest: manifest.layers[0]!.digest, gzip };
}

for (const kind of REGISTRY_KINDS) {
  describe(`writeIndex on ${kind}`, () => {
    let registry: RunningRegistry;
    before(async () => {
      registry = await startRegistry({ kind });
    });
    after(async () => {
      await registry?.stop();
    });

    for (const format of ["oci", "docker"] as const satisfies readonly ImageFormat[]) {
      test(`${format}: two platforms, each a streaming layer read once; skopeo reads each per architecture, pullImage picks each`, async () => {
        const tars = { amd64: await platformTar("amd64"), arm64: await platformTar("arm64") };
        const sources = { amd64: new CountingSource(tars.amd64.bytes), arm64: new CountingSource(tars.arm64.bytes) };
        const layers = { amd64: new StreamLayer(sources.amd64.stream()), arm64: new StreamLayer(sources.arm64.stream()) };
        const reference = `${registry.host}/multi/${format}:1`;
        const descriptor = await writeIndex(reference, [
          { image: appendLayers(emptyImage({ architecture: "amd64", format }), layers.amd64) },
          { image: appendLayers(emptyImage({ architecture: "arm64", format }), layers.arm64) },
        ]);

        for (const [architecture, source] of Object.entries(sources)) {
          assert.equal(source.given, source.bytes.length, `${architecture}: every byte given once`);
        }
        const { text, index } = await rawIndex(reference);
        const listType = format === "oci" ? "application/vnd.oci.image.index.v1+json" : "application/vnd.docker.distribution.manifest.list.v2+json";
        const manifestType = format === "oci" ? "application/vnd.oci.image.manifest.v1+json" : "application/vnd.docker.distribution.manifest.v2+json";
        assert.equal(index.mediaType, listType);
        assert.deepEqual(descriptor, { mediaType: listType, digest: sha256(new TextEncoder().encode(text)), size: new TextEncoder().encode(text).length });
        assert.deepEqual(index.manifests.map((m) => m.platform), [AMD64, ARM64], "platforms from the configs");
        assert.deepEqual(index.manifests.map((m) => m.mediaType), [manifestType, manifestType]);

        for (const [i, architecture] of (["amd64", "arm64"] as const).entries()) {
          const entry = index.manifests[i]!;
          const inspected = await inspectArch(reference, architecture);
          assert.equal(inspected.Digest, descriptor.digest, "skopeo names the index it read");
          assert.equal(inspected.Architecture, architecture);
          assert.deepEqual(inspected.Layers, [await layers[architecture].digest()]);
          assert.equal(await skopeoImageDigest(reference, architecture), entry.digest, `skopeo picks the ${architecture} entry`);

          const pulled = await pullImage(reference, { platform: { os: "linux", architecture } });
          assert.equal((await pulled.values()).descriptor.digest, entry.digest, `pullImage picks the ${architecture} entry`);
          const { digest, gzip } = await layerBytes(reference, { os: "linux", architecture });
          assert.equal(sha256(gzip), digest, "the blob is what its digest says");
          assert.equal(sha256(gunzipSync(gzip)), tars[architecture].diffID, "and gunzips to this platform's tar");
        }
      });
    }

    test("a platform given in the entry wins over the config's; a layer both images hold is read and uploaded once", async () => {
      const shared = await tarball({ "usr/share/common": "on every platform\n".repeat(2000) });
      const own = await platformTar("arm");
      const sharedSource = new CountingSource(shared.bytes);
      const ownSource = new CountingSource(own.bytes);
      const sharedLayer = new StreamLayer(sharedSource.stream());
      const ownLayer = new StreamLayer(ownSource.stream());
      const reported: IndexUploadProgress[] = [];
      const reference = `${registry.host}/multi/shared:1`;
      await writeIndex(reference, [
        { image: appendLayers(emptyImage({ architecture: "amd64" }), sharedLayer) },
        { image: appendLayers(emptyImage({ architecture: "arm" }), sharedLayer, ownLayer), platform: { os: "linux", architecture: "arm", variant: "v7" } },
      ], { onProgress: (progress) => reported.push(progress) });

      assert.equal(sharedSource.given, shared.bytes.length, "the shared layer's bytes given once");
      assert.equal(ownSource.given, own.bytes.length);
      const { index } = await rawIndex(reference);
      assert.deepEqual(index.manifests.map((m) => m.platform), [AMD64, { os: "linux", architecture: "arm", variant: "v7" }]);
      const arm = await skopeoJson<Inspected>("inspect", noTls, "--override-os", "linux", "--override-arch", "arm", "--override-variant", "v7", `docker://${reference}`);
      assert.deepEqual(arm.Layers, [await sharedLayer.digest(), await ownLayer.digest()]);
      // The upload of each streamed layer is reported under the first image that holds it.
      const done = reported.filter((p) => p.done).map((p) => `${p.image}/${p.layer}`);
      assert.deepEqual(done.sort(), ["0/0", "1/1"]);
    });
  });
}

describe("writeIndex's streams and their bound", () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry?.stop();
  });

  test("jobs: 2 reads the two images' streams at the same time (the first stays open until the second has started)", async () => {
    const second = new CountingSource((await platformTar("arm64")).bytes);
    const first = new CountingSource((await platformTar("amd64")).bytes, second.started);
    // Were the images pushed one after the other, the first would wait for ever: the push is aborted instead.
    const signal = AbortSignal.timeout(60_000);
    await writeIndex(`${registry.host}/bound/two:1`, [
      { image: appendLayers(emptyImage({ architecture: "amd64" }), new StreamLayer(first.stream())) },
      { image: appendLayers(emptyImage({ architecture: "arm64" }), new StreamLayer(second.stream())) },
    ], { jobs: 2, signal });
    assert.equal(first.given, first.bytes.length);
    assert.equal(second.given, second.bytes.length);
  });

  test("jobs: 1 reads one stream at a time, in the entries' order", async () => {
    const order: string[] = [];
    const layers = await Promise.all(["amd64", "arm64"].map(async (architecture) => {
      const source = new CountingSource((await platformTar(architecture)).bytes);
      void source.started.then(() => order.push(`start ${architecture}`));
      const layer = new StreamLayer(source.stream());
      void layer.digest().then(() => order.push(`end ${architecture}`));
      return { architecture, layer };
    }));
    await writeIndex(`${registry.host}/bound/one:1`, layers.map(({ architecture, layer }) => ({ image: appendLayers(emptyImage({ architecture }), layer) })), { jobs: 1 });
    assert.deepEqual(order, ["start amd64", "end amd64", "start arm64", "end arm64"]);
  });

  test("a failing source fails the push; a stream not started is cancelled, not left open", async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new Error("disk gone")),
    });
    const waiting = new CountingSource((await platformTar("arm64")).bytes);
    await assert.rejects(
      writeIndex(`${registry.host}/bound/broken:1`, [
        { image: appendLayers(emptyImage({ architecture: "amd64" }), new StreamLayer(broken)) },
        { image: appendLayers(emptyImage({ architecture: "arm64" }), new StreamLayer(waiting.stream())) },
      ], { jobs: 1 }),
      /disk gone/,
    );
    assert.equal(waiting.given, 0);
    assert.match(String(waiting.cancelled), /disk gone/);
    const listed = await fetch(`${registry.url}/v2/bound/broken/manifests/1`, { method: "HEAD" });
    assert.equal(listed.status, 404, "no index was written");
  });

  test("no entries, or jobs that is not a positive integer, is refused before anything is read", async () => {
    await assert.rejects(writeIndex(`${registry.host}/bound/none:1`, []), TypeError);
    const source = new CountingSource((await platformTar("amd64")).bytes);
    const entries = [{ image: appendLayers(emptyImage(), new StreamLayer(source.stream())) }];
    await assert.rejects(writeIndex(`${registry.host}/bound/zero:1`, entries, { jobs: 0 }), RangeError);
    await assert.rejects(writeIndex(`${registry.host}/bound/half:1`, entries, { jobs: 1.5 }), RangeError);
    assert.equal(source.given, 0);
  });
});
