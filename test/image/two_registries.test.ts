// Images against both registries (docker-registry and go-containerregistry's),
// an append whose base lives on one and whose result goes to the other, the
// Docker v2 layer media type skopeo insists on, and the upload sessions a
// failed writeImage leaves behind. skopeo is the judge of every image.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AuthError, blobLayer, appendLayers, emptyImage, pullImage, UnsupportedImageError, writeImage, StreamLayer, DOCKER_LAYER_GZIP, OCI_LAYER_GZIP } from "../../src/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { startFaultProxy } from "../support/fault_proxy.ts";
import { REGISTRY_KINDS, type RegistryKind, type RunningRegistry, startRegistry } from "../support/registry.ts";
import { openUploads } from "../registry/_helpers.ts";
import { type Inspected, type InspectedConfig, skopeo, skopeoJson, streamOf, tarball } from "./_image_tools.ts";

const registries = new Map<RegistryKind, RunningRegistry>();
const work = mkdtempSync(join(tmpdir(), "streamlayer-two-"));
before(async () => {
  for (const registry of await Promise.all(REGISTRY_KINDS.map((kind) => startRegistry({ kind })))) registries.set(registry.kind, registry);
});
after(async () => {
  await Promise.all([...registries.values()].map((registry) => registry.stop()));
  rmSync(work, { recursive: true, force: true });
});

const noTls = "--tls-verify=false";
const host = (kind: RegistryKind) => registries.get(kind)!.host;

interface RawManifest {
  mediaType: string;
  layers: { mediaType: string; digest: string }[];
}

for (const kind of REGISTRY_KINDS) {
  test(`${kind}: an image with a streaming layer, which skopeo copies and inspects`, async () => {
    const { bytes, diffID } = await tarball({ "hello.txt": `hello ${kind}\n` });
    const layer = new StreamLayer(streamOf(bytes));
    const reference = `${host(kind)}/two/one:v1`;
    const descriptor = await writeImage(reference, appendLayers(emptyImage(), layer));
    await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, `one-${kind}`)}:v1`);
    const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
    assert.equal(inspect.Digest, descriptor.digest);
    assert.deepEqual(inspect.Layers, [await layer.digest()]);
    const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
    assert.deepEqual(config.rootfs.diff_ids, [diffID]);
  });
}

for (const [from, to, format] of [["docker-registry", "ggcr", "v2s2"], ["ggcr", "docker-registry", "oci"]] as const) {
  test(`an append across registries: a ${format} base on ${from}, the result pushed to ${to}; skopeo accepts its layer media types`, async () => {
    const layout = join(work, `base-${from}`);
    const baseTar = await tarball({ "bin/base": from });
    await writeLayout(layout, appendLayers(emptyImage({ config: { Env: ["BASE=1"] } }), new StreamLayer(streamOf(baseTar.bytes))), { tag: "base" });
    const baseRef = `${host(from)}/library/base:1`;
    await skopeo("copy", "--format", format, "--dest-tls-verify=false", `oci:${layout}:base`, `docker://${baseRef}`);

    const ours = await tarball({ "app/run": `from ${from} to ${to}\n` });
    const layer = new StreamLayer(streamOf(ours.bytes)); // OCI's media type, whatever the base
    const reference = `${host(to)}/team/app:1`;
    const descriptor = await writeImage(reference, appendLayers(await pullImage(baseRef), layer));

    // skopeo refuses a Docker v2 manifest that lists an OCI layer type; copying checks every blob too.
    await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, `app-${from}`)}:1`);
    const raw = await skopeoJson<RawManifest>("inspect", "--raw", noTls, `docker://${reference}`);
    const layerType = format === "v2s2" ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP;
    assert.equal(raw.mediaType, format === "v2s2" ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json");
    assert.deepEqual(raw.layers.map((l) => l.mediaType), [layerType, layerType]);
    const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
    assert.equal(inspect.Digest, descriptor.digest);
    assert.equal(inspect.Layers[1], await layer.digest());
    const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, `docker://${reference}`);
    assert.deepEqual(config.rootfs.diff_ids, [baseTar.diffID, ours.diffID]);
  });
}

test("appendLayers refuses a layer a Docker v2 manifest cannot list, with a typed error", () => {
  const base = blobLayer(new Uint8Array([1]));
  const zstd = Object.assign(Object.create(base) as typeof base, { mediaType: () => "application/vnd.oci.image.layer.v1.tar+zstd" });
  assert.throws(() => appendLayers(emptyImage({ format: "docker" }), zstd), UnsupportedImageError);
  assert.ok(appendLayers(emptyImage(), zstd), "an OCI image takes it");
});

test("writeImage: a layer's POST refused while another's is in flight: every session started is deleted", async () => {
  const registry = registries.get("docker-registry")!;
  const proxy = await startFaultProxy(registry.url, (request) => {
    if (request.method !== "POST") return undefined;
    // The first POST is refused while the second has started a session on the registry, its answer still on the way.
    return request.nth === 1 ? { kind: "respond", status: 403, body: JSON.stringify({ errors: [{ code: "DENIED", message: "no" }] }) } : { kind: "delay-response", ms: 400 };
  });
  try {
    const layers = await Promise.all(["a", "b"].map(async (name) => new StreamLayer(streamOf((await tarball({ [name]: name })).bytes))));
    const repository = "two/refused";
    await assert.rejects(writeImage(`${proxy.host}/${repository}:1`, appendLayers(emptyImage(), ...layers), { jobs: 2 }), AuthError);
    // The registry has answered the second POST by now, or will soon: let it, before looking at its storage.
    for (let i = 0; i < 100 && !proxy.log.some((entry) => entry.method === "POST" && entry.upstreamStatus === 202); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(openUploads(registry, repository), [], "no session left on the registry");
    assert.ok(proxy.log.some((entry) => entry.method === "DELETE"), "the second layer's session was deleted");
  } finally {
    await proxy.stop();
  }
});
