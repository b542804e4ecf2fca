// mutateConfig and mutateAnnotations against real registries, skopeo as the
// judge: a pulled base keeps its layers (the same digests; no layer blob
// downloaded or uploaded, as a counting proxy and the registry's storage
// show), only the edited fields change, Docker's Entrypoint/Cmd rule, a
// streaming layer read once, and a Docker-format base kept Docker.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { appendLayers, type ConfigFile, emptyImage, type Image, type ImageFormat, mutateAnnotations, mutateConfig, NotComputedError, pullImage, StreamLayer, writeImage } from "../../src/index.ts";
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_MANIFEST } from "../../src/registry/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { type FaultProxy, startFaultProxy } from "../support/fault_proxy.ts";
import { REGISTRY_KINDS, startRegistry, type RegistryKind, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, skopeo, skopeoJson, streamOf, tarball } from "./_image_tools.ts";

const registries = new Map<RegistryKind, RunningRegistry>();
const proxies = new Map<RegistryKind, FaultProxy>();
const work = mkdtempSync(join(tmpdir(), "streamlayer-mutate-"));
before(async () => {
  for (const registry of await Promise.all(REGISTRY_KINDS.map((kind) => startRegistry({ kind })))) {
    registries.set(registry.kind, registry);
    proxies.set(registry.kind, await startFaultProxy(registry.url));
  }
});
after(async () => {
  await Promise.all([...proxies.values()].map((proxy) => proxy.stop()));
  await Promise.all([...registries.values()].map((registry) => registry.stop()));
  rmSync(work, { recursive: true, force: true });
});

const noTls = "--tls-verify=false";
const BASE_CONFIG = { Entrypoint: ["/bin/sh", "-c"], Cmd: ["/bin/base"], Env: ["PATH=/usr/bin:/bin", "MODE=base"], Labels: { team: "base" }, WorkingDir: "/" };

interface RawManifest {
  mediaType: string;
  config: { mediaType: string; digest: string };
  layers: { digest: string }[];
  annotations?: Record<string, string>;
}

/** A base of two layers put in the registry by skopeo (from an OCI layout), as a reader's registry would hold one. */
async function seedBase(host: string, repository: string, format: ImageFormat = "oci"): Promise<string> {
  const layout = join(work, `${repository.replace(/\W/g, "-")}-${format}`);
  const tars = await Promise.all([tarball({ "bin/base": "base\n" }), tarball({ "etc/motd": `${repository}\n` })]);
  // skopeo makes the Docker-format base itself (--format v2s2), from an OCI layout.
  const image = appendLayers(emptyImage({ config: BASE_CONFIG }), ...tars.map(({ bytes }) => new StreamLayer(streamOf(bytes))));
  await writeLayout(layout, image, { tag: "base" });
  const reference = `${host}/${repository}:base`;
  const args = ["copy", "--dest-tls-verify=false", ...(format === "docker" ? ["--format", "v2s2"] : []), `oci:${layout}:base`, `docker://${reference}`];
  await skopeo(...args);
  return reference;
}

function rawManifest(reference: string): Promise<RawManifest> {
  return skopeoJson<RawManifest>("inspect", "--raw", noTls, `docker://${reference}`);
}

function inspectConfig(reference: string): Promise<ConfigFile> {
  return skopeoJson<ConfigFile>("inspect", "--config", noTls, `docker://${reference}`);
}

// The blobs docker-registry holds, from its storage directory.
function storedBlobs(registry: RunningRegistry): string[] {
  const root = join(registry.dir, "data/docker/registry/v2/blobs/sha256");
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((prefix) => readdirSync(join(root, prefix)).map((hex) => `sha256:${hex}`)).sort();
}

for (const kind of REGISTRY_KINDS) {
  test(`${kind}: mutateConfig on a pulled image keeps its layers (not one downloaded or uploaded) and changes only the edited fields`, async () => {
    const registry = registries.get(kind)!;
    const proxy = proxies.get(kind)!;
    const baseRef = await seedBase(registry.host, "mutate/base");
    const blobsBefore = storedBlobs(registry);
    const base = await pullImage(`${proxy.host}/mutate/base:base`);
    const image = mutateConfig(base, { Env: ["MODE=app", "TZ=UTC"], Labels: { tier: "web" }, User: "65532" });
    const start = proxy.log.length;
    const pushed = await writeImage(`${proxy.host}/mutate/app:1`, image);
    const requests = proxy.log.slice(start);

    const [before, after] = await Promise.all([rawManifest(baseRef), rawManifest(`${registry.host}/mutate/app:1`)]);
    assert.deepEqual(after.layers, before.layers, "the same layer descriptors, in order");
    assert.equal(after.mediaType, OCI_MANIFEST);
    assert.notEqual(after.config.digest, before.config.digest);
    assert.equal((await skopeoJson<Inspected>("inspect", noTls, `docker://${registry.host}/mutate/app:1`)).Digest, pushed.digest);

    const layerDigests = before.layers.map((layer) => layer.digest);
    const touching = requests.filter(({ method, url }) => (method === "GET" || method === "PATCH" || method === "PUT") && layerDigests.some((digest) => url.includes(digest)));
    assert.deepEqual(touching, [], "no layer blob read or written");
    const uploadedDigests = requests.filter(({ method, url }) => method === "PUT" && url.includes("/blobs/uploads/")).map(({ url }) => decodeURIComponent(new URL(url, "http://x").searchParams.get("digest") ?? ""));
    assert.deepEqual(uploadedDigests, [after.config.digest], "the config is the one blob uploaded");
    assert.equal(requests.filter(({ method }) => method === "PATCH").length, 1, "one PATCH: the config's bytes");
    for (const digest of layerDigests) {
      const known = requests.some(({ method, url, status }) => (method === "HEAD" && status === 200 && url.endsWith(digest)) || (method === "POST" && status === 201 && url.includes(encodeURIComponent(digest))));
      assert.ok(known, `${digest}: found in the registry (HEAD 200) or mounted (POST 201)`);
    }
    if (kind === "docker-registry") {
      const added = storedBlobs(registry).filter((digest) => !blobsBefore.includes(digest));
      assert.deepEqual(added.sort(), [after.config.digest, pushed.digest].sort(), "the registry stores a new config and manifest, no new layer");
    }

    // skopeo's reading of both configs: the edited fields, and nothing else, differ.
    const [baseConfig, appConfig] = await Promise.all([inspectConfig(baseRef), inspectConfig(`${registry.host}/mutate/app:1`)]);
    const expected = structuredClone(baseConfig);
    expected.config = { ...expected.config, Env: ["PATH=/usr/bin:/bin", "MODE=app", "TZ=UTC"], Labels: { team: "base", tier: "web" }, User: "65532" };
    assert.deepEqual(appConfig, expected);
    assert.deepEqual(appConfig.history, baseConfig.history);
    assert.deepEqual(appConfig.rootfs, baseConfig.rootfs);
  });
}

test("mutateAnnotations: skopeo --raw shows them, merged with the base's; the config and layers are untouched", async () => {
  const registry = registries.get("docker-registry")!;
  const baseRef = await seedBase(registry.host, "annotate/base");
  const annotated = mutateAnnotations(await pullImage(baseRef), { "org.opencontainers.image.source": "https://git.example/app", kept: "1" });
  await writeImage(`${registry.host}/annotate/app:1`, annotated);
  const again = mutateAnnotations(await pullImage(`${registry.host}/annotate/app:1`), { "org.opencontainers.image.revision": "4f1c2e", kept: "2" });
  await writeImage(`${registry.host}/annotate/app:2`, again);

  const [base, first, second] = await Promise.all([baseRef, `${registry.host}/annotate/app:1`, `${registry.host}/annotate/app:2`].map(rawManifest));
  assert.deepEqual(first!.annotations, { "org.opencontainers.image.source": "https://git.example/app", kept: "1" });
  assert.deepEqual(second!.annotations, { "org.opencontainers.image.source": "https://git.example/app", kept: "2", "org.opencontainers.image.revision": "4f1c2e" });
  for (const manifest of [first!, second!]) {
    assert.deepEqual(manifest.config, base!.config, "the same config blob");
    assert.deepEqual(manifest.layers, base!.layers);
  }
  // A function gets them all, and may remove some.
  const pruned = await mutateAnnotations(await pullImage(`${registry.host}/annotate/app:2`), (current) => ({ revision: current["org.opencontainers.image.revision"] ?? "" })).values();
  assert.deepEqual(pruned.manifest.annotations, { revision: "4f1c2e" });
  const none = await mutateAnnotations(await pullImage(`${registry.host}/annotate/app:2`), () => ({})).values();
  assert.equal("annotations" in none.manifest, false, "no annotations: no empty field");
  assert.equal(none.descriptor.digest, (await pullImage(baseRef).then((image) => image.values())).descriptor.digest, "back to the base's manifest, byte for byte");
});

test("Docker's rule through a registry: a new Entrypoint clears the inherited Cmd; with a Cmd in the same edit, that Cmd is kept", async () => {
  const registry = registries.get("docker-registry")!;
  const baseRef = await seedBase(registry.host, "entry/base");
  const base = await pullImage(baseRef);
  await writeImage(`${registry.host}/entry/app:alone`, mutateConfig(base, { Entrypoint: ["/app/server"] }));
  await writeImage(`${registry.host}/entry/app:both`, mutateConfig(base, { Entrypoint: ["/app/server"], Cmd: ["--port=8080"] }));
  await writeImage(`${registry.host}/entry/app:cmd`, mutateConfig(base, { Cmd: ["/bin/other"] }));

  const alone = await inspectConfig(`${registry.host}/entry/app:alone`);
  assert.deepEqual(alone.config?.Entrypoint, ["/app/server"]);
  assert.equal("Cmd" in (alone.config ?? {}), false, "no Cmd: the base's /bin/base would have been an argument of /app/server");
  const both = await inspectConfig(`${registry.host}/entry/app:both`);
  assert.deepEqual([both.config?.Entrypoint, both.config?.Cmd], [["/app/server"], ["--port=8080"]]);
  const cmd = await inspectConfig(`${registry.host}/entry/app:cmd`);
  assert.deepEqual([cmd.config?.Entrypoint, cmd.config?.Cmd], [["/bin/sh", "-c"], ["/bin/other"]], "a new Cmd alone keeps the Entrypoint");
  // A field given as undefined is removed, and counts as a new Entrypoint.
  const cleared = await mutateConfig(base, { Entrypoint: undefined }).values();
  assert.equal(cleared.configFile.config?.Entrypoint, undefined);
  assert.equal(cleared.configFile.config?.Cmd, undefined);
});

/** A read-once stream of `bytes` that counts what it hands out. */
function countedStream(bytes: Uint8Array): { stream: ReadableStream<Uint8Array>; read: () => number } {
  let read = 0;
  const reader = streamOf(bytes).getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      read += value.length;
      controller.enqueue(value);
    },
  });
  return { stream, read: () => read };
}

test("a streaming layer under mutateConfig (before or after appendLayers) is read once, by the push; the edit sees its DiffID", async () => {
  const registry = registries.get("docker-registry")!;
  const baseRef = await seedBase(registry.host, "stream/base");
  const base = await pullImage(baseRef);
  const { bytes, diffID } = await tarball({ "app/run": "echo app\n" });

  const after = countedStream(bytes);
  const seen: string[][] = [];
  const edit = (configFile: ConfigFile): ConfigFile => {
    seen.push([...configFile.rootfs.diff_ids]);
    return { ...configFile, config: { ...configFile.config, Entrypoint: ["/app/run"] } };
  };
  const editedAfter = mutateConfig(appendLayers(base, new StreamLayer(after.stream)), edit);
  assert.throws(() => editedAfter.computed(), NotComputedError, "not known before the stream is read");
  assert.equal(after.read(), 0, "nothing read by mutateConfig");
  const pushedAfter = await writeImage(`${registry.host}/stream/app:after`, editedAfter);
  assert.equal(after.read(), bytes.length, "read once, to its end");
  assert.equal(seen.length, 1, "the edit ran once");
  assert.equal(seen[0]?.at(-1), diffID);
  assert.equal(editedAfter.computed().descriptor.digest, pushedAfter.digest);

  const before = countedStream(bytes);
  const editedBefore = appendLayers(mutateConfig(base, edit), new StreamLayer(before.stream));
  await writeImage(`${registry.host}/stream/app:before`, editedBefore);
  assert.equal(before.read(), bytes.length);

  for (const tag of ["after", "before"]) {
    const config = await inspectConfig(`${registry.host}/stream/app:${tag}`);
    assert.deepEqual(config.config?.Entrypoint, ["/app/run"]);
    assert.equal(config.rootfs.diff_ids.length, 3);
    assert.equal(config.rootfs.diff_ids.at(-1), diffID);
  }
  // The same edit on the same layers, in either order: the same image.
  assert.equal((await rawManifest(`${registry.host}/stream/app:after`)).config.digest, (await rawManifest(`${registry.host}/stream/app:before`)).config.digest);
});

test("a Docker-format base stays Docker format: manifest and config media types, as skopeo reads them", async () => {
  const registry = registries.get("docker-registry")!;
  const baseRef = await seedBase(registry.host, "docker/base", "docker");
  const base = await pullImage(baseRef);
  assert.equal(base.format, "docker");
  const image = mutateConfig(base, { Entrypoint: ["/app/server"], Labels: { format: "docker" } });
  assert.equal(image.format, "docker");
  assert.equal(image.mediaType(), DOCKER_MANIFEST);
  const pushed = await writeImage(`${registry.host}/docker/app:1`, image);
  assert.equal(pushed.mediaType, DOCKER_MANIFEST);
  const raw = await rawManifest(`${registry.host}/docker/app:1`);
  assert.equal(raw.mediaType, DOCKER_MANIFEST);
  assert.equal(raw.config.mediaType, DOCKER_CONFIG);
  assert.deepEqual(raw.layers, (await rawManifest(baseRef)).layers);
  assert.deepEqual((await inspectConfig(`${registry.host}/docker/app:1`)).config?.Labels, { team: "base", format: "docker" });
  // Annotations on a Docker v2 manifest (no such field in its schema): kept as written, still Docker's media type.
  await writeImage(`${registry.host}/docker/app:2`, mutateAnnotations(image, { note: "docker" }));
  const annotated = await rawManifest(`${registry.host}/docker/app:2`);
  assert.equal(annotated.mediaType, DOCKER_MANIFEST);
  assert.deepEqual(annotated.annotations, { note: "docker" });
});

test("an edit that changes nothing keeps the base's bytes and digest; rootfs is the image's whatever a function returns", async () => {
  const registry = registries.get("docker-registry")!;
  const base = await pullImage(await seedBase(registry.host, "same/base"));
  const values = await base.values();
  for (const image of [mutateConfig(base, {}), mutateConfig(base, (configFile) => configFile), mutateAnnotations(base, {}), mutateConfig(base, { WorkingDir: "/" })]) {
    const same = await image.values();
    assert.equal(same.descriptor.digest, values.descriptor.digest);
    assert.deepEqual(same.rawConfigFile, values.rawConfigFile);
  }
  const forged = await mutateConfig(base, (configFile) => ({ ...configFile, rootfs: { type: "layers", diff_ids: [] } })).values();
  assert.deepEqual(forged.configFile.rootfs, values.configFile.rootfs);
  assert.equal(forged.descriptor.digest, values.descriptor.digest);
  // The config edited by a function: platform and created, as go-containerregistry's mutate.ConfigFile allows.
  const moved = await mutateConfig(base, (configFile) => ({ ...configFile, architecture: "arm64", created: "2026-01-02T03:04:05Z" })).values();
  assert.deepEqual([moved.configFile.architecture, moved.configFile.created], ["arm64", "2026-01-02T03:04:05Z"]);
  assert.deepEqual(moved.manifest.layers, values.manifest.layers);
});

test("bad edits are refused when made, with a TypeError naming what is wrong; a bad function fails the image's values", async () => {
  const image: Image = emptyImage();
  assert.throws(() => mutateConfig({} as Image, {}), /mutateConfig: the image is not an Image/);
  assert.throws(() => mutateConfig(image, { Env: ["NOVALUE"] }), /an Env entry is NAME=value, got "NOVALUE"/);
  assert.throws(() => mutateConfig(image, { Cmd: "/bin/sh" as unknown as string[] }), /Cmd must be an array of strings/);
  assert.throws(() => mutateConfig(image, { Labels: { a: 1 as unknown as string } }), /the label "a" must be a string/);
  assert.throws(() => mutateConfig(image, null as unknown as {}), TypeError);
  assert.throws(() => mutateAnnotations(image, { a: 1 as unknown as string }), /mutateAnnotations: the annotation "a" must be a string/);
  await assert.rejects(mutateConfig(image, () => undefined as unknown as ConfigFile).values(), /must return a config with its os and architecture/);
  // The caller's object, changed afterwards, does not reach the image.
  const edit = { Env: ["A=1"] };
  const edited = mutateConfig(image, edit);
  edit.Env.push("B=2");
  assert.deepEqual((await edited.values()).configFile.config?.Env, ["A=1"]);
});
