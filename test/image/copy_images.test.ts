// Copying between registries: a multi-platform image written by writeIndex on
// docker-registry, copied to go-containerregistry's registry (every platform,
// or the ones asked for) by writeIndex(destination, await pullImages(source)),
// and a single image by writeImage(destination, await pullImage(source)),
// mounted within one registry. skopeo is the judge: --raw for the index,
// --override-arch for each platform.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { appendLayers, createTarStream, emptyImage, type ImageFormat, pullImage, pullImages, StreamLayer, writeImage, writeIndex } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";
import { type Inspected, skopeo, skopeoJson } from "./_image_tools.ts";

let docker: RunningRegistry;
let ggcr: RunningRegistry;
before(async () => {
  [docker, ggcr] = await Promise.all([startRegistry(), startRegistry({ kind: "ggcr" })]);
});
after(async () => {
  await Promise.all([docker?.stop(), ggcr?.stop()]);
});

const noTls = "--tls-verify=false";
const PLATFORMS = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64", variant: "v8" },
  { os: "linux", architecture: "arm", variant: "v7" },
];

interface RawIndex {
  mediaType: string;
  manifests: { mediaType: string; digest: string; platform: { os: string; architecture: string; variant?: string } }[];
}

function platformImages(format: ImageFormat) {
  return PLATFORMS.map(({ architecture, variant }) => ({
    image: appendLayers(
      emptyImage({ architecture, variant, format }),
      new StreamLayer(createTarStream([{ path: "etc/arch", data: `${architecture}${variant ?? ""}\n` }])),
      new StreamLayer(createTarStream([{ path: "app/shared", data: "the same layer on every platform\n" }])),
    ),
  }));
}

async function inspectArch(reference: string, architecture: string, variant?: string): Promise<Inspected> {
  const args = ["inspect", noTls, "--override-os", "linux", "--override-arch", architecture];
  if (variant) args.push("--override-variant", variant);
  return skopeoJson<Inspected>(...args, `docker://${reference}`);
}

test("writeIndex pushes three platforms, each with streaming layers, and an OCI index skopeo reads per architecture", async () => {
  const source = `${docker.host}/multi/app:1`;
  const descriptor = await writeIndex(source, platformImages("oci"));
  const raw = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${source}`)) as RawIndex;
  assert.equal(raw.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(descriptor.mediaType, raw.mediaType);
  assert.deepEqual(raw.manifests.map((m) => m.platform), PLATFORMS);
  for (const [i, { architecture, variant }] of PLATFORMS.entries()) {
    const inspected = await inspectArch(source, architecture, variant);
    assert.equal(inspected.Architecture, architecture);
    const manifest = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${docker.host}/multi/app@${raw.manifests[i]?.digest}`)) as { layers: { digest: string }[] };
    assert.deepEqual(inspected.Layers, manifest.layers.map((l) => l.digest));
  }
  // pullImage picks each platform out of what writeIndex wrote.
  const arm = await pullImage(source, { platform: { os: "linux", architecture: "arm", variant: "v7" } });
  assert.equal((await arm.values()).descriptor.digest, raw.manifests[2]?.digest);
});

test("a multi-platform image copied from docker-registry to go-containerregistry's registry: every platform, same manifests", async () => {
  const source = `${docker.host}/multi/copied:1`;
  await writeIndex(source, platformImages("oci"));
  const destination = `${ggcr.host}/copies/app:1`;
  await writeIndex(destination, await pullImages(source));

  const from = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${source}`)) as RawIndex;
  const to = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${destination}`)) as RawIndex;
  assert.deepEqual(to, from, "the same index, entry for entry");
  for (const { architecture, variant } of PLATFORMS) {
    const [a, b] = await Promise.all([inspectArch(source, architecture, variant), inspectArch(destination, architecture, variant)]);
    assert.equal(b.Digest, a.Digest);
    assert.deepEqual(b.Layers, a.Layers);
  }
  // Copied again: every blob is found there (HEAD), nothing is uploaded or read.
  const requests: string[] = [];
  const recording: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
    return fetch(input, init);
  };
  await writeIndex(destination, await pullImages(source), { fetch: recording });
  assert.deepEqual(requests.filter((r) => r.startsWith("POST") || r.startsWith("PATCH") || /^GET .*\/blobs\//.test(r)), []);
  assert.ok(requests.some((r) => r.startsWith("HEAD") && r.includes("/blobs/")));
  // skopeo copies the copy whole: every blob is there.
  await skopeo("copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${destination}`, `docker://${docker.host}/multi/back:1`);
});

test("only the platforms asked for are copied, and a Docker-format source stays a Docker manifest list", async () => {
  const source = `${docker.host}/multi/docker:1`;
  await writeIndex(source, platformImages("docker"));
  const raw = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${source}`)) as RawIndex;
  assert.equal(raw.mediaType, "application/vnd.docker.distribution.manifest.list.v2+json");

  const destination = `${ggcr.host}/copies/some:1`;
  const wanted = [{ os: "linux", architecture: "arm64" }, { os: "linux", architecture: "amd64" }];
  await writeIndex(destination, await pullImages(source, { platforms: wanted }));
  const copied = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${destination}`)) as RawIndex;
  assert.equal(copied.mediaType, raw.mediaType);
  assert.deepEqual(copied.manifests.map((m) => m.digest), [raw.manifests[1]?.digest, raw.manifests[0]?.digest]);
  await assert.rejects(skopeo("inspect", noTls, "--override-arch", "arm", "--override-variant", "v7", `docker://${destination}`));
});

test("a single image copied within one registry is mounted, not uploaded; across registries it streams blob to blob", async () => {
  const source = `${docker.host}/single/app:1`;
  const layer = new StreamLayer(createTarStream([{ path: "hello", data: "hi\n" }]));
  await writeImage(source, appendLayers(emptyImage(), layer));

  const requests: string[] = [];
  const recording: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.searchParams.has("mount") ? ` mount=${url.searchParams.get("mount")}` : ""}`);
    return fetch(input, init);
  };
  const sameRegistry = `${docker.host}/single/mounted:1`;
  const copied = await writeImage(sameRegistry, await pullImage(source), { fetch: recording });
  const layerDigest = await layer.digest();
  assert.ok(requests.some((r) => r.startsWith("POST") && r.endsWith(`mount=${layerDigest}`)), requests.join("\n"));
  assert.ok(!requests.some((r) => r.startsWith("GET") && r.includes(layerDigest)), "the layer's bytes were not read");

  const otherRegistry = `${ggcr.host}/single/streamed:1`;
  const streamed = await writeImage(otherRegistry, await pullImage(source));
  assert.equal(streamed.digest, copied.digest);
  const inspected = await skopeoJson<Inspected>("inspect", noTls, `docker://${otherRegistry}`);
  assert.deepEqual(inspected.Layers, [await layer.digest()]);
});

test("a whole index copied keeps its digest, as crane copy does: its own bytes (spacing, annotations) are written again", async () => {
  // An index made by another tool: indented JSON, annotations on it and on an entry.
  const repository = `${docker.host}/multi/foreign`;
  const manifests = [];
  for (const { image, platform } of platformImages("oci").map((entry, i) => ({ ...entry, platform: PLATFORMS[i] }))) {
    await writeImage(`${repository}:only-${platform!.architecture}`, image);
    const { descriptor } = await image.values();
    manifests.push({ mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, platform, annotations: { "org.example.built-by": "hand" } });
  }
  const text = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests, annotations: { "org.opencontainers.image.created": "2026-12-04T00:00:00Z" } }, null, 2);
  const bytes = new TextEncoder().encode(text);
  await new RegistryClient(`${repository}:1`).putManifest("1", bytes, "application/vnd.oci.image.index.v1+json");

  const destination = `${ggcr.host}/copies/foreign:1`;
  const copied = await writeIndex(destination, await pullImages(`${repository}:1`));
  assert.equal(copied.digest, sha256(bytes));
  assert.equal(await skopeo("inspect", noTls, "--raw", `docker://${destination}`), text);
  // Some platforms only: an index made anew, listing those.
  const some = await writeIndex(`${ggcr.host}/copies/foreign:some`, await pullImages(`${repository}:1`, { platforms: [PLATFORMS[0]!] }));
  assert.notEqual(some.digest, copied.digest);
});
