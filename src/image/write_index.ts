import { knownDescriptor } from "../layer/_partial.ts";
import { RegistryClient } from "../registry/client.ts";
import { formatReference, parseReference } from "../registry/reference.ts";
import { writeLayer } from "../registry/write_layer.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import type { Index } from "../oci/manifest.ts";
import { DOCKER_MANIFEST_LIST, OCI_INDEX } from "../oci/media_types.ts";
import { hashJson } from "./_canonical_json.ts";
import { readIndex } from "./_manifest_shape.ts";
import { digestOf } from "../hash/_sha256.ts";
import type { Image } from "./image.ts";
import { writeImage, type WriteImageOptions } from "./write_image.ts";

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

/** Options of {@link writeIndex}: those of {@link writeImage}, and the index's own annotations. */
export interface WriteIndexOptions extends WriteImageOptions {
  /**
   * Annotations of the index itself.
   * @default none
   */
  annotations?: Record<string, string>;
}

/**
 * Pushes a multi-platform image: each image by its digest (its layers as
 * {@link writeImage} pushes them: mounted, skipped when the registry has
 * them, copied blob to blob from another registry, streaming ones read once,
 * up to `jobs` at a time), then an image index naming each with its platform,
 * under the reference's tag. The index is an OCI image index, or a Docker
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
 * @param options What {@link writeImage} takes, and the index's annotations.
 * @returns The index's descriptor.
 * @throws {TypeError} when there are no entries.
 * @throws {DigestMismatchError} when the reference names a digest the index does not have.
 * @throws what {@link writeImage} throws for an image.
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
  const parsed = parseReference(reference, { insecure: options.insecure });
  const repository = formatReference({ ...parsed, tag: undefined, digest: undefined });
  const manifests: Descriptor[] = [];
  for (const entry of entries) {
    const pushed = await writeUntagged(repository, entry.image, options);
    const platform = entry.platform ?? (await platformOf(entry.image));
    manifests.push({ ...pushed, platform, ...(entry.annotations ? { annotations: entry.annotations } : {}) });
  }
  const { bytes, digest, mediaType } = (options.annotations === undefined && (await sameIndex(entries.sourceIndex, manifests))) || (await newIndex(entries, manifests, options));
  if (parsed.digest !== undefined && parsed.digest !== digest) throw new DigestMismatchError(parsed.digest, digest, `index of ${reference}`);
  await new RegistryClient(parsed, options).putManifest(parsed.tag ?? digest, bytes, mediaType);
  return { mediaType, digest, size: bytes.length };
}

/**
 * Pushes an image under its digest alone. An image whose digest waits on
 * streaming layers has those uploaded first (up to `jobs` at a time), which
 * names it; writeImage then finds them there and uploads the rest.
 */
async function writeUntagged(repository: string, image: Image, options: WriteImageOptions): Promise<Descriptor> {
  const layers = image.layers();
  const known = await Promise.all(layers.map((layer) => knownDescriptor(layer)));
  const unread = layers.flatMap((layer, index) => (known[index] === undefined ? [{ layer, index }] : []));
  const { onProgress, onPhase: _onPhase, jobs, ...layerOptions } = options;
  await forEachBounded(unread, jobs ?? 3, async ({ layer, index }) => {
    await writeLayer(repository, layer, { ...layerOptions, onProgress: onProgress && ((progress) => onProgress({ ...progress, layer: index })) });
  });
  const { descriptor } = await image.values();
  return writeImage(`${repository}@${descriptor.digest}`, image, options);
}

async function forEachBounded<T>(items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
}

async function platformOf(image: Image): Promise<Platform> {
  const { configFile } = await image.values();
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

async function newIndex(entries: IndexEntries, manifests: Descriptor[], options: WriteIndexOptions): Promise<IndexBytes> {
  const docker = entries.every((entry) => entry.image.format === "docker");
  const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const index: Index = { schemaVersion: 2, mediaType, manifests };
  if (options.annotations) index.annotations = options.annotations;
  return { ...(await hashJson(index)), mediaType };
}
