// A layer and an image written by a user, as plain objects against the
// documented Layer and Image interfaces, with no class and no error of
// streamlayer's: they get the existence check, the mount, progress and
// appendLayers like streamlayer's own. Judged by the real registry and skopeo.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";
import { appendLayers, writeImage, writeLayer, type Descriptor, type Image, type ImageValues, type Layer, type UploadProgress } from "../../src/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, type InspectedConfig, skopeoJson, tarball } from "./_image_tools.ts";
import { sha256 } from "../support/tools.ts";

const LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
const noTls = "--tls-verify=false";

let registry: RunningRegistry;
before(async () => {
  registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
});

interface UserLayerOptions {
  /** Say the descriptor up front (the existence check). */
  known?: boolean;
  /** Where the blob lives already (the mount). */
  mountFrom?: { registry: string; repository: string };
}

/**
 * A user's streaming layer: its values are revealed only once its stream has
 * been read to its end (or at once, when it knows its descriptor); before
 * that they reject with a plain Error.
 */
function userLayer(tar: Uint8Array, options: UserLayerOptions = {}): Layer & { opened: number } {
  const gzip = gzipSync(tar);
  const values = { digest: sha256(gzip), diffID: sha256(tar), size: gzip.length };
  // A layer that knows its descriptor knows its values before it is read.
  let ended = options.known === true;
  let read = 0;
  const notYet = (): Promise<never> => Promise.reject(new Error("not computed yet"));
  const layer: Layer & { opened: number } = {
    opened: 0,
    mediaType: () => LAYER_TYPE,
    compressed() {
      layer.opened++;
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= gzip.length) {
            ended = true;
            read = tar.length;
            controller.close();
            return;
          }
          const chunk = gzip.subarray(offset, offset + 64);
          offset += chunk.length;
          read = Math.min(tar.length, Math.floor((offset / gzip.length) * tar.length));
          controller.enqueue(chunk);
        },
      });
    },
    digest: () => (ended ? Promise.resolve(values.digest) : notYet()),
    diffID: () => (ended ? Promise.resolve(values.diffID) : notYet()),
    size: () => (ended ? Promise.resolve(values.size) : notYet()),
    bytesRead: () => read,
    ...(options.known && { knownDescriptor: async (): Promise<Descriptor> => ({ mediaType: LAYER_TYPE, digest: values.digest, size: values.size }) }),
    ...(options.mountFrom && { mountFrom: options.mountFrom }),
  };
  return layer;
}

/** Records the requests a push makes. */
function watched(): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    fetch: async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      const response = await fetch(input, init);
      requests.push(`${init?.method ?? "GET"} ${url.pathname}${url.searchParams.has("mount") ? "?mount" : ""} ${response.status}`);
      return response;
    },
  };
}

test("a user's streaming layer that rejects its values until its end is pushed, with progress counting its bytesRead", async () => {
  const { bytes } = await tarball({ "user/a.txt": "written by a user\n".repeat(200) });
  const layer = userLayer(bytes);
  const progress: UploadProgress[] = [];
  const descriptor = await writeLayer(`${registry.host}/user/plain`, layer, { onProgress: (p) => progress.push(p) });
  assert.equal(descriptor.digest, sha256(gzipSync(bytes)));
  assert.deepEqual(await new RegistryClient(`${registry.host}/user/plain`).headBlob(descriptor.digest).then((d) => d?.size), descriptor.size);
  const last = progress.at(-1);
  assert.equal(last?.done, true);
  assert.equal(last?.read, bytes.length, "the layer's bytesRead reached the progress report");
});

test("a user's layer with a known descriptor is looked for first and not uploaded again", async () => {
  const { bytes } = await tarball({ "user/b.txt": "known\n" });
  await writeLayer(`${registry.host}/user/known`, userLayer(bytes));
  const again = userLayer(bytes, { known: true });
  const watch = watched();
  const descriptor = await writeLayer(`${registry.host}/user/known`, again, { fetch: watch.fetch });
  assert.equal(descriptor.digest, sha256(gzipSync(bytes)));
  assert.equal(again.opened, 0, "the stream was never opened");
  assert.ok(watch.requests.every((request) => !request.startsWith("POST")), `no upload started: ${watch.requests.join(", ")}`);
});

test("a user's layer with a mount source is mounted from its repository, not uploaded", async () => {
  const { bytes } = await tarball({ "user/c.txt": "mount me\n" });
  await writeLayer(`${registry.host}/user/source`, userLayer(bytes));
  const layer = userLayer(bytes, { known: true, mountFrom: { registry: registry.host, repository: "user/source" } });
  const base = userImage([]);
  const watch = watched();
  await writeImage(`${registry.host}/user/mounted:1`, appendLayers(base, layer), { fetch: watch.fetch });
  assert.equal(layer.opened, 0, "the stream was never opened");
  assert.ok(watch.requests.some((request) => request.includes("?mount") && request.endsWith(" 201")), `mounted: ${watch.requests.join(", ")}`);
  const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${registry.host}/user/mounted:1`);
  assert.deepEqual(inspect.Layers, [sha256(gzipSync(bytes))]);
});

/**
 * A user's image: a base config and manifest made by hand, whose layers are
 * already in the registry under `repository`.
 */
function userImage(layers: readonly { tar: Uint8Array; repository?: string }[]): Image {
  const made = layers.map(({ tar, repository }) =>
    userLayer(tar, { known: true, ...(repository && { mountFrom: { registry: registry.host, repository } }) }),
  );
  const gzips = layers.map(({ tar }) => gzipSync(tar));
  const configFile = {
    architecture: "amd64",
    os: "linux",
    created: "2020-01-01T00:00:00Z",
    config: { Env: ["USER_IMAGE=1"] },
    rootfs: { type: "layers" as const, diff_ids: layers.map(({ tar }) => sha256(tar)) },
  };
  const rawConfigFile = new TextEncoder().encode(JSON.stringify(configFile));
  const config = { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(rawConfigFile), size: rawConfigFile.length };
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config,
    layers: gzips.map((gzip) => ({ mediaType: LAYER_TYPE, digest: sha256(gzip), size: gzip.length })),
  };
  const rawManifest = new TextEncoder().encode(JSON.stringify(manifest));
  const values: ImageValues = {
    configFile,
    rawConfigFile,
    config,
    manifest,
    rawManifest,
    descriptor: { mediaType: manifest.mediaType, digest: sha256(rawManifest), size: rawManifest.length },
  };
  return {
    format: "oci",
    mediaType: () => manifest.mediaType,
    layers: () => made,
    values: async () => values,
    computed: () => values,
  };
}

test("appendLayers takes a user's image through the Image interface; writeImage pushes base and user layer, skopeo agrees", async () => {
  const baseTar = (await tarball({ "base/file": "base\n" })).bytes;
  await writeLayer(`${registry.host}/user/base`, userLayer(baseTar));
  const ours = (await tarball({ "app/file": "ours\n" })).bytes;
  const layer = userLayer(ours);
  const reference = `${registry.host}/user/app:1`;
  const descriptor = await writeImage(reference, appendLayers(userImage([{ tar: baseTar, repository: "user/base" }]), layer));
  const inspect = await skopeoJson<Inspected>("inspect", noTls, `docker://${reference}`);
  assert.equal(inspect.Digest, descriptor.digest);
  assert.deepEqual(inspect.Layers, [sha256(gzipSync(baseTar)), sha256(gzipSync(ours))]);
  const config = await skopeoJson<InspectedConfig & { config: { Env: string[] } }>("inspect", "--config", noTls, `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [sha256(baseTar), sha256(ours)]);
  assert.deepEqual(config.config.Env, ["USER_IMAGE=1"]);
});
