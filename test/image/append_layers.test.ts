import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { test } from "node:test";
import { OCI_CONFIG, OCI_MANIFEST, DOCKER_MANIFEST, DOCKER_CONFIG } from "../../src/registry/index.ts";
import { appendLayers, emptyImage, NotComputedError, StreamLayer, createTarStream } from "../../src/index.ts";
import { sha256 } from "../support/tools.ts";


function tarLayer(text: string): StreamLayer {
  return new StreamLayer(createTarStream([{ path: "hello.txt", data: text }]));
}

test("an empty image has no layers, the epoch as created, and digests of its exact bytes", async () => {
  const image = emptyImage({ config: { Cmd: ["/hello"], Env: ["A=1"] } });
  const values = await image.values();
  assert.equal(values.configFile.created, "1970-01-01T00:00:00Z");
  assert.deepEqual(values.configFile.rootfs, { type: "layers", diff_ids: [] });
  assert.deepEqual(values.configFile.config?.Cmd, ["/hello"]);
  assert.equal(values.config.mediaType, OCI_CONFIG);
  assert.equal(values.config.digest, sha256(values.rawConfigFile));
  assert.equal(values.config.size, values.rawConfigFile.length);
  assert.equal(values.descriptor.mediaType, OCI_MANIFEST);
  assert.equal(values.descriptor.digest, sha256(values.rawManifest));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(values.rawManifest)), values.manifest);
  assert.deepEqual(image.computed(), values);
});

test("the same options give the same image digest; another platform gives another", async () => {
  const a = await emptyImage({ architecture: "arm64", variant: "v8" }).values();
  const b = await emptyImage({ architecture: "arm64", variant: "v8" }).values();
  const c = await emptyImage().values();
  assert.equal(a.descriptor.digest, b.descriptor.digest);
  assert.notEqual(a.descriptor.digest, c.descriptor.digest);
  assert.equal(a.configFile.variant, "v8");
});

test("Docker format uses Docker's media types", async () => {
  const values = await emptyImage({ format: "docker" }).values();
  assert.equal(values.manifest.mediaType, DOCKER_MANIFEST);
  assert.equal(values.config.mediaType, DOCKER_CONFIG);
  assert.throws(() => emptyImage({ format: "zip" as "oci" }), RangeError);
  assert.throws(() => emptyImage({ created: "not a date" }), RangeError);
});

test("created is kept as RFC 3339, which Go tools parse: other date strings are refused", async () => {
  // Go's time.Time (skopeo, crane) rejects "2020-01-01" in a config, though `new Date` accepts it.
  assert.throws(() => emptyImage({ created: "2020-01-01" }), RangeError);
  assert.throws(() => emptyImage({ created: "Jan 1 2020" }), RangeError);
  assert.throws(() => emptyImage({ created: "2020-13-45T00:00:00Z" }), RangeError);
  assert.equal((await emptyImage({ created: "2020-01-02T03:04:05+02:00" }).values()).configFile.created, "2020-01-02T03:04:05+02:00");
  assert.equal((await emptyImage({ created: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)) }).values()).configFile.created, "2020-01-02T03:04:05Z");
});

test("config and manifest wait for the streaming layer, then list its DiffID, digest and size", async () => {
  const layer = tarLayer("hello\n");
  const image = appendLayers(emptyImage(), layer);
  assert.throws(() => image.computed(), NotComputedError);
  let settled = false;
  const pending = image.values().then((values) => {
    settled = true;
    return values;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(settled, false, "values() must wait for the stream to be consumed");
  assert.throws(() => image.computed(), NotComputedError);

  const gzip = new Uint8Array(await new Response(layer.compressed()).arrayBuffer());
  const values = await pending;
  const diffID = sha256(gunzipSync(gzip));
  assert.deepEqual(values.configFile.rootfs.diff_ids, [diffID]);
  assert.equal(values.configFile.history?.length, 1);
  assert.deepEqual(values.manifest.layers, [{ mediaType: layer.mediaType(), digest: sha256(gzip), size: gzip.length }]);
  assert.equal(values.manifest.config.digest, sha256(values.rawConfigFile));
  assert.equal(values.descriptor.digest, sha256(values.rawManifest));
  assert.deepEqual(image.computed(), values);
});

test("appending keeps the order, leaves the first image unchanged, and several calls stack", async () => {
  const first = tarLayer("one");
  const second = tarLayer("two");
  const base = emptyImage();
  const one = appendLayers(base, first);
  const two = appendLayers(one, second);
  assert.equal(base.layers().length, 0);
  assert.equal(one.layers().length, 1);
  assert.deepEqual(two.layers(), [first, second]);
  const gzips = [];
  for (const layer of [first, second]) gzips.push(new Uint8Array(await new Response(layer.compressed()).arrayBuffer()));
  const values = await two.values();
  assert.deepEqual(values.manifest.layers.map((d) => d.digest), gzips.map(sha256));
  assert.deepEqual(values.configFile.rootfs.diff_ids, gzips.map((gzip) => sha256(gunzipSync(gzip))));
});

test("a streaming layer cancelled before its end leaves the image not computed, never wrong", async () => {
  const layer = tarLayer("x".repeat(100_000));
  const image = appendLayers(emptyImage(), layer);
  const reader = layer.compressed().getReader();
  await reader.read();
  await reader.cancel();
  await assert.rejects(image.values(), NotComputedError);
  assert.throws(() => image.computed(), NotComputedError);
});

test("appendLayers refuses what is not an image or a layer", () => {
  assert.throws(() => appendLayers({} as never), TypeError);
  assert.throws(() => appendLayers(emptyImage(), {} as never), TypeError);
});
