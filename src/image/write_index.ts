import { knownDescriptor } from "../layer/_partial.ts";
import { RegistryClient } from "../registry/client.ts";
import { formatReference, parseReference } from "../registry/reference.ts";
import { uploadLayer } from "../registry/upload_layer.ts";
import type { Layer } from "../layer/layer.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import type { Index } from "../oci/manifest.ts";
import { DOCKER_MANIFEST_LIST, OCI_INDEX } from "../oci/media_types.ts";
import { hashJson } from "./_canonical_json.ts";
import { readIndex } from "./_manifest_shape.ts";
import { digestOf } from "../hash/_sha256.ts";
import type { Image } from "./image.ts";
import { type ImageUploadProgress, writeImage, type WriteImageOptions } from "./write_image.ts";
import { cancelUnread, checkJobs, runBounded } from "./_run_bounded.ts";

/** One image of an index: the image, and the platform the index lists it under. */
export interface IndexEntry {
  /** The image, pushed by digest before the index. */
  readonly image: Image;
  /**
   * The platform the index gives the image.
   * @default the image config's `os`, `architecture`, `variant` and `os.version`
   */
  readonly platform?: Platform;
  /**
   * Annotations of the image's entry in the index.
   * @default none
   */
  readonly annotations?: Record<string, string>;
}

/**
 * The index a list of entries was read from, as it was: {@link pullImages}
 * and `readLayoutImages` attach it when they give every image of an index,
 * so that a copy writes the same bytes, and so keeps the index's digest.
 */
export interface SourceIndex {
  /** The index's bytes, as hashed. */
  readonly bytes: Uint8Array;
  /** Its media type: an OCI image index or a Docker manifest list. */
  readonly mediaType: string;
}

/** The entries {@link writeIndex} takes: a list, with the index it came from when it is all of one. */
export type IndexEntries = readonly IndexEntry[] & { readonly sourceIndex?: SourceIndex };

/** Where the upload of one layer of one image of an index stands. */
export interface IndexUploadProgress extends ImageUploadProgress {
  /** The image's position in the entries, 0 for the first. A layer that several images share is uploaded and reported once, under the first. */
  readonly image: number;
}

/** Options of {@link writeIndex}: those of {@link writeImage}, the index's own annotations, and progress that says which image. */
export interface WriteIndexOptions extends Omit<WriteImageOptions, "onProgress"> {
  /**
   * Annotations of the index itself.
   * @default none
   */
  annotations?: Record<string, string>;
  /**
   * Called with each layer's progress, at most every 100 ms per layer and
   * once at its end, naming the image and the layer's position in it.
   * @default undefined
   */
  onProgress?: (progress: IndexUploadProgress) => void;
}

/**
 * Pushes a multi-platform image: first the streaming layers of every image,
 * each read once, up to `jobs` at a time across all the images (a layer
 * several images hold is uploaded once); then each image by its digest (its
 * other layers as {@link writeImage} pushes them: mounted, skipped when the
 * registry has them, copied blob to blob from another registry); then an
 * image index naming each with its platform, under the reference's tag. The
 * platform of an entry that gives none is its image config's `os`,
 * `architecture`, `variant` and `os.version`. The index is an OCI image index, or a Docker
 * manifest list when every image is Docker-format (what a Docker manifest
 * list may name). The counterpart of go-containerregistry's
 * `remote.WriteIndex` of a `mutate.AppendManifests`.
 *
 * It is also the copy of a multi-platform image, as `crane copy` does it:
 * `writeIndex(destination, await pullImages(source))`. Each image keeps its
 * manifest's digest, and when the entries are every image of the source
 * index, unchanged and in its order (what `pullImages` gives without
 * `platforms`), the index's own bytes are written again, so the copy has the
 * source's digest. Otherwise (some platforms, other images, `annotations`)
 * the index is made anew.
 *
 * @param reference Where to push: `host[:port]/name[:tag]`, or `...@sha256:` to push the index by digest.
 * @param entries The images, each with its platform (by default the one its config says).
 * @param options What {@link writeImage} takes (`onProgress` also names the image), and the index's annotations.
 * @returns The index's descriptor.
 * @throws {TypeError} when there are no entries, or an entry without a platform has an image whose config names no os and architecture.
 * @throws {RangeError} when `jobs` is not a positive integer.
 * @throws {DigestMismatchError} when the reference names a digest the index does not have.
 * @throws what {@link writeImage} throws for an image.
 *
 * @example Two platforms, each built from a stream, under one tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, pullImage, StreamLayer, writeIndex } from "streamlayer";
 *
 * const layers = {
 *   amd64: new StreamLayer(createTarStream([{ path: "app/server", data: "an x86-64 build\n" }])),
 *   arm64: new StreamLayer(createTarStream([{ path: "app/server", data: "an arm64 build\n" }])),
 * };
 * const done: string[] = [];
 * const index = await writeIndex("127.0.0.1:5000/app:2", [
 *   { image: appendLayers(emptyImage({ architecture: "amd64" }), layers.amd64) }, // platform: linux/amd64, from the config
 *   { image: appendLayers(emptyImage({ architecture: "arm64" }), layers.arm64), platform: { os: "linux", architecture: "arm64", variant: "v8" } },
 * ], {
 *   jobs: 2, // both streams are read at once
 *   onProgress: (p) => p.done && done.push(`image ${p.image} layer ${p.layer}`),
 * });
 * assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
 * assert.ok(done.includes("image 0 layer 0") && done.includes("image 1 layer 0"));
 * // A client on arm64 gets the arm64 image, and its layer.
 * const arm = await pullImage("127.0.0.1:5000/app:2", { platform: { os: "linux", architecture: "arm64" } });
 * assert.equal((await arm.values()).manifest.layers[0]!.digest, await layers.arm64.digest());
 * ```
 *
 * @example Copying a multi-platform image from one repository to another
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, pullImages, StreamLayer, writeIndex } from "streamlayer";
 *
 * const entries = ["amd64", "arm64"].map((architecture) => ({
 *   image: appendLayers(emptyImage({ architecture }), new StreamLayer(createTarStream([{ path: "arch", data: architecture }]))),
 * }));
 * await writeIndex("127.0.0.1:5000/multi:1", entries);
 * const copied = await writeIndex("127.0.0.1:5000/multi-copy:1", await pullImages("127.0.0.1:5000/multi:1"));
 * assert.equal(copied.mediaType, "application/vnd.oci.image.index.v1+json");
 * const arm = (await pullImages("127.0.0.1:5000/multi-copy:1", { platforms: [{ os: "linux", architecture: "arm64" }] }))[0];
 * assert.equal((await arm!.image.values()).configFile.architecture, "arm64");
 * ```
 */
export async function writeIndex(reference: string, entries: IndexEntries, options: WriteIndexOptions = {}): Promise<Descriptor> {
  if (entries.length === 0) throw new TypeError("writeIndex: no images to list");
  const jobs = checkJobs(options.jobs ?? 3);
  const parsed = parseReference(reference, { insecure: options.insecure });
  const repository = formatReference({ ...parsed, tag: undefined, digest: undefined });
  const { annotations, onProgress, ...imageOptions } = options;
  const streamed = await uploadUnread(repository, entries, { ...imageOptions, jobs }, onProgress);
  const manifests: Descriptor[] = [];
  for (const [image, entry] of entries.entries()) {
    const { descriptor } = await entry.image.values();
    const layers = entry.image.layers();
    const pushed = await writeImage(`${repository}@${descriptor.digest}`, entry.image, {
      ...imageOptions,
      // A streamed layer was reported as it went up; writeImage only finds it there now.
      onProgress: onProgress && ((progress) => !streamed.has(layers[progress.layer] as Layer) && onProgress({ ...progress, image })),
    });
    const platform = entry.platform ?? (await platformOf(entry.image, image));
    manifests.push({ ...pushed, platform, ...(entry.annotations ? { annotations: entry.annotations } : {}) });
  }
  const { bytes, digest, mediaType } = (annotations === undefined && (await sameIndex(entries.sourceIndex, manifests))) || (await newIndex(entries, manifests, annotations));
  if (parsed.digest !== undefined && parsed.digest !== digest) throw new DigestMismatchError(parsed.digest, digest, `index of ${reference}`);
  await new RegistryClient(parsed, options).putManifest(parsed.tag ?? digest, bytes, mediaType);
  return { mediaType, digest, size: bytes.length };
}

interface UnreadLayer {
  readonly layer: Layer;
  /** Where it is first found: the entry, and the layer's position in that image. */
  readonly image: number;
  readonly index: number;
}

/**
 * Uploads the layers whose digests only reading tells (streaming ones) of
 * every image at once, `jobs` at a time across all images, each layer once
 * however many images hold it: an image's digest, and so its push by digest,
 * waits on them. The first failure aborts the others and ends the sources
 * not started yet.
 *
 * @returns The layers it uploaded.
 */
async function uploadUnread(repository: string, entries: IndexEntries, options: WriteImageOptions & { jobs: number }, onProgress: WriteIndexOptions["onProgress"]): Promise<ReadonlySet<Layer>> {
  const unread = await unreadLayers(entries);
  const streamed = new Set(unread.map(({ layer }) => layer));
  if (unread.length === 0) return streamed;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const { onPhase: _onPhase, jobs, ...layerOptions } = options;
  const client = new RegistryClient(repository, { ...layerOptions, signal });
  try {
    await runBounded(unread, jobs, async ({ layer, image, index }) => {
      await uploadLayer(client, layer, { ...layerOptions, onProgress: onProgress && ((progress) => onProgress({ ...progress, image, layer: index })) });
    }, (error) => controller.abort(error));
  } catch (error) {
    await Promise.all(unread.map(({ layer }) => cancelUnread(layer, error)));
    throw error;
  }
  return streamed;
}

async function unreadLayers(entries: IndexEntries): Promise<UnreadLayer[]> {
  const seen = new Set<Layer>();
  const unread: UnreadLayer[] = [];
  for (const [image, entry] of entries.entries()) {
    for (const [index, layer] of entry.image.layers().entries()) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      if ((await knownDescriptor(layer)) === undefined) unread.push({ layer, image, index });
    }
  }
  return unread;
}

// An index entry without os and architecture would be one no client could pick.
async function platformOf(image: Image, position: number): Promise<Platform> {
  const { configFile } = await image.values();
  if (typeof configFile.os !== "string" || typeof configFile.architecture !== "string" || !configFile.os || !configFile.architecture) {
    throw new TypeError(`writeIndex: image ${position} has no os and architecture in its config: give its entry a platform`);
  }
  const platform: Platform = { os: configFile.os, architecture: configFile.architecture };
  if (configFile.variant) platform.variant = configFile.variant;
  const version = (configFile as { "os.version"?: unknown })["os.version"];
  if (typeof version === "string") platform["os.version"] = version;
  return platform;
}

interface IndexBytes {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly mediaType: string;
}

// The source index again, when it lists exactly the manifests just pushed, in its order.
async function sameIndex(source: SourceIndex | undefined, manifests: readonly Descriptor[]): Promise<IndexBytes | undefined> {
  if (source === undefined) return undefined;
  let listed: readonly Descriptor[];
  try {
    listed = readIndex(source.bytes, "the source index").manifests;
  } catch {
    return undefined;
  }
  if (listed.length !== manifests.length || listed.some((entry, i) => entry.digest !== manifests[i]?.digest)) return undefined;
  return { bytes: source.bytes, digest: await digestOf(source.bytes), mediaType: source.mediaType };
}

async function newIndex(entries: IndexEntries, manifests: Descriptor[], annotations: Record<string, string> | undefined): Promise<IndexBytes> {
  const docker = entries.every((entry) => entry.image.format === "docker");
  const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const index: Index = { schemaVersion: 2, mediaType, manifests };
  if (annotations) index.annotations = annotations;
  return { ...(await hashJson(index)), mediaType };
}
