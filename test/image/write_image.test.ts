import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { appendLayers, emptyImage, pullImage, writeImage, StreamLayer, DOCKER_LAYER_GZIP } from "../../src/index.ts";
import { RemoteLayer, OCI_INDEX, RegistryClient } from "../../src/registry/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, type InspectedConfig, skopeo, skopeoJson, streamOf, tarball } from "./_image_tools.ts";

let registry: RunningRegistry;
let other: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-image-"));
before(async () => {
  [registry, other] = await Promise.all([startRegistry(), startRegistry()]);
});
after(async () => {
  await Promise.all([registry?.stop(), other?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

const noTls = "--tls-verify=false";

test("an image with one streaming layer: skopeo copies it (checking every blob) and sees the digest and DiffID", async () => {
  const { bytes, diffID } = await tarball({ "hello.txt": "hello\n", "etc/motd": "streamed\n" });
  const layer = new StreamLayer(streamOf(bytes));
  const reference = `${registry.host}/streamlayer/one:v1`;
  const progress: number[] = [];
  const descriptor = await writeImage(reference, appendLayers(emptyImage(), layer), { onProgress: (p) => progress.push(p.layer) });

  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, "one")}:v1`);
  const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
  assert.equal(inspect.Digest, descriptor.digest);
  assert.deepEqual(inspect.Layers, [await layer.digest()]);
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
  assert.ok(progress.length > 0 && progress.every((index) => index === 0));
});

test("appending to a base image pushed by skopeo: base layers first, then ours; mounted on the same registry", async () => {
  const layout = join(work, "base-layout");
  const baseTars = [await tarball({ "bin/a": "a" }), await tarball({ "bin/b": "b" })];
  const baseLayers = baseTars.map(({ bytes }) => new StreamLayer(streamOf(bytes)));
  await writeLayout(layout, appendLayers(emptyImage({ config: { Env: ["BASE=1"] } }), ...baseLayers), { tag: "base" });
  const baseRef = `${registry.host}/library/base:1`;
  await skopeo("copy", "--dest-tls-verify=false", `oci:${layout}:base`, `docker://${baseRef}`);
  const baseDigests = await Promise.all(baseLayers.map((layer) => layer.digest()));

  const base = await pullImage(baseRef);
  assert.equal((await base.values()).descriptor.digest, (await skopeoJson<Inspected>("inspect", noTls, `docker://${baseRef}`)).Digest);
  assert.ok(base.layers().every((layer) => layer instanceof RemoteLayer));

  const ours = await tarball({ "app/run": "echo hi\n" });
  const layer = new StreamLayer(streamOf(ours.bytes));
  const reference = `${registry.host}/team/app:2`;
  const mounted: string[] = [];
  const watching: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (url.searchParams.has("mount") && response.status === 201) mounted.push(url.searchParams.get("mount") ?? "");
    return response;
  };
  const descriptor = await writeImage(reference, appendLayers(base, layer), { fetch: watching });
  assert.deepEqual(mounted.sort(), [...baseDigests].sort(), "the base layers were mounted, not uploaded");

  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, "app")}:2`);
  const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
  assert.equal(inspect.Digest, descriptor.digest);
  assert.deepEqual(inspect.Layers, [...baseDigests, await layer.digest()]);
  const config = await skopeoJson<InspectedConfig & { config: { Env: string[] } }>("inspect", "--config", noTls, `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [...baseTars.map((t) => t.diffID), ours.diffID]);
  assert.deepEqual(config.config.Env, ["BASE=1"]);
});

test("a base on another registry is copied blob to blob", async () => {
  const baseRef = `${registry.host}/library/base:1`;
  const base = await pullImage(baseRef);
  const ours = await tarball({ "cross/registry": "yes" });
  const layer = new StreamLayer(streamOf(ours.bytes));
  const reference = `${other.host}/elsewhere/app:3`;
  await writeImage(reference, appendLayers(base, layer), { jobs: 2 });
  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, "cross")}:3`);
  const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
  const baseInspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${baseRef}`);
  assert.deepEqual(inspect.Layers, [...baseInspect.Layers, await layer.digest()]);
});

test("pullImage picks the platform from an index", async () => {
  const client = new RegistryClient(`${registry.host}/multi/arch`);
  const entries = [];
  for (const architecture of ["amd64", "arm64"]) {
    const { bytes } = await tarball({ arch: architecture });
    const descriptor = await writeImage(`${registry.host}/multi/arch:${architecture}`, appendLayers(emptyImage({ architecture }), new StreamLayer(streamOf(bytes))));
    entries.push({ ...descriptor, platform: { os: "linux", architecture } });
  }
  const index = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
  await client.putManifest("multi", index, OCI_INDEX);

  const arm = await pullImage(`${registry.host}/multi/arch:multi`, { platform: { os: "linux", architecture: "arm64" } });
  assert.equal((await arm.values()).descriptor.digest, entries[1]?.digest);
  const amd = await pullImage(`${registry.host}/multi/arch:multi`);
  assert.equal((await amd.values()).descriptor.digest, entries[0]?.digest);
  await assert.rejects(pullImage(`${registry.host}/multi/arch:multi`, { platform: { os: "linux", architecture: "s390x" } }), {
    code: "NO_MATCHING_PLATFORM",
    message: /linux\/s390x.*linux\/amd64, linux\/arm64/,
  });
});

test("a Docker schema 2 image with a Docker layer is accepted by skopeo", async () => {
  const { bytes, diffID } = await tarball({ docker: "format" });
  const layer = new StreamLayer(streamOf(bytes), { mediaType: DOCKER_LAYER_GZIP });
  const reference = `${registry.host}/streamlayer/docker:v2`;
  await writeImage(reference, appendLayers(emptyImage({ format: "docker" }), layer));
  const raw = await skopeoJson<{ mediaType: string }>("inspect", "--raw", noTls, `docker://${reference}`);
  assert.equal(raw.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
});

test("a failing source fails writeImage, and no manifest is written", async () => {
  const failing = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error("tape jammed")) });
  const reference = `${registry.host}/streamlayer/broken:v1`;
  await assert.rejects(writeImage(reference, appendLayers(emptyImage(), new StreamLayer(failing))), /tape jammed/);
  const client = new RegistryClient(reference);
  assert.equal(await client.headManifest("v1"), undefined);
});

test("a digest in the reference must be the manifest's, also beside a tag; nothing is tagged otherwise", async () => {
  const repository = `${registry.host}/streamlayer/pinned`;
  const wrong = `sha256:${"0".repeat(64)}`;
  await assert.rejects(writeImage(`${repository}:v1@${wrong}`, emptyImage()), { code: "DIGEST_MISMATCH" });
  assert.equal(await new RegistryClient(repository).headManifest("v1"), undefined);

  const image = emptyImage();
  const { descriptor } = await image.values();
  await writeImage(`${repository}:v1@${descriptor.digest}`, image);
  assert.equal((await skopeoJson<Inspected>("inspect", noTls, `docker://${repository}:v1`)).Digest, descriptor.digest);
});

test("several streaming layers go up a bounded number at a time, in order in the manifest", async () => {
  const tars = await Promise.all(["a", "b", "c", "d"].map((name) => tarball({ [name]: name.repeat(100) })));
  const layers = tars.map(({ bytes }) => new StreamLayer(streamOf(bytes)));
  const reference = `${registry.host}/streamlayer/many:v1`;
  const seen = new Set<number>();
  // Count upload sessions open at once: from the POST that starts one to the PUT that ends it.
  let open = 0;
  let most = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? "GET";
    const response = await fetch(input, init);
    if (method === "POST" && url.endsWith("/blobs/uploads/") && response.status === 202) most = Math.max(most, ++open);
    if (method === "PUT" && url.includes("digest=")) open--;
    return response;
  };
  await writeImage(reference, appendLayers(emptyImage(), ...layers), { jobs: 2, fetch: countingFetch, onProgress: (p) => seen.add(p.layer) });
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  assert.ok(most >= 1 && most <= 2, `at most 2 uploads at once, saw ${most}`);
  const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
  assert.deepEqual(inspect.Layers, await Promise.all(layers.map((layer) => layer.digest())));
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, tars.map((t) => t.diffID));
  await assert.rejects(writeImage(reference, emptyImage(), { jobs: 0 }), RangeError);
});
