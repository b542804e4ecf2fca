import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Image } from "../image/image.ts";
import { readIndex, readManifest } from "../image/_manifest_shape.ts";
import { storedImage } from "../image/_stored_image.ts";
import { choosePlatform, formatPlatform } from "../image/_platform.ts";
import { NoMatchingPlatformError, UnsupportedImageError } from "../image/errors.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
import type { Index } from "../oci/manifest.ts";
import type { SourceIndex } from "../image/write_index.ts";
import { isIndexMediaType, isManifestMediaType } from "../oci/media_types.ts";
import { InvalidLayoutError, LayoutImageNotFoundError } from "./errors.ts";
import { LayoutLayer } from "./_layout_layer.ts";
import { REF_NAME } from "./_layout_index.ts";
import { readVerifiedBlob } from "./_verified_file.ts";

// As much as a manifest or config may be: an index.json is small too.
const INDEX_LIMIT = 4 * 1024 * 1024;

/** Options of {@link readLayout} and {@link readLayoutImages}. */
export interface ReadLayoutOptions {
  /**
   * The image to read: the entry of index.json whose
   * `org.opencontainers.image.ref.name` is this tag (what `oci:<dir>:<tag>`
   * names for skopeo, and `writeLayout`'s `tag`).
   * @default the only entry of index.json
   */
  tag?: string;
  /**
   * readLayout only: the platform to take when the tag names an image index.
   * A variant is matched only when given.
   * @default { os: "linux", architecture: "amd64" }
   */
  platform?: Platform;
}

/** One image of a layout's index: what {@link readLayoutImages} gives, and what `writeIndex` takes. */
export interface LayoutImage {
  /** The image, its blobs read from the layout as they are needed. */
  readonly image: Image;
  /** The platform the index gives it; undefined for an image named directly by index.json. */
  readonly platform?: Platform;
}

/**
 * An image from an OCI image layout on disk (Node and Deno): one written by
 * `writeLayout`, by `skopeo copy … oci:<dir>:<tag>` or by `crane pull
 * --format=oci`. The manifest and config are read and checked against their
 * digests here; the layers are read only when asked, each blob checked
 * against its digest and size as it streams (`compressed()`), and the tar
 * against its DiffID (`uncompressed()`). Nothing is copied: what
 * `crane push <layout>` and `skopeo copy oci:… docker://…` do is
 * `writeImage(reference, await readLayout(directory, { tag }))`, which
 * skips the blobs the registry has.
 *
 * While nothing is appended, the image keeps the layout's exact manifest and
 * config bytes, so its digest is the layout's.
 *
 * @param directory The layout's directory.
 * @param options The tag, and the platform when the tag names an index.
 * @returns The image.
 * @throws {LayoutImageNotFoundError} when no entry has the tag, or no tag is given and there are several.
 * @throws {InvalidLayoutError} when index.json is missing or broken, or a blob is missing.
 * @throws {DigestMismatchError} or {@link SizeMismatchError} when a manifest, config or index does not match its descriptor.
 * @throws {NoMatchingPlatformError} when the tag names an index with no image for the platform.
 * @throws {UnsupportedImageError} for an entry that is not an image, or a manifest or config that is not well formed.
 *
 * @example Pushing a layout to a registry, as `skopeo copy oci:out:demo docker://…` does
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, StreamLayer, writeImage } from "streamlayer";
 * import { readLayout, writeLayout } from "streamlayer/layout";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * const written = await writeLayout("out", appendLayers(emptyImage(), layer), { tag: "demo" });
 * const image = await readLayout("out", { tag: "demo" });
 * const pushed = await writeImage("127.0.0.1:5000/from-layout:demo", image);
 * assert.equal(pushed.digest, written.digest); // the same manifest, byte for byte
 * ```
 */
export async function readLayout(directory: string, options: ReadLayoutOptions = {}): Promise<Image> {
  const entry = await chooseEntry(directory, options.tag);
  if (!isIndexMediaType(entry.mediaType)) return readImage(directory, entry);
  const index = await readNestedIndex(directory, entry);
  const wanted = options.platform ?? { os: "linux", architecture: "amd64" };
  const chosen = choosePlatform(index.manifests, wanted);
  if (!chosen) throw new NoMatchingPlatformError(nameOf(directory, options.tag), formatPlatform(wanted), index.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : [])));
  return readImage(directory, chosen);
}

/**
 * Every image the tag names in an OCI layout: each image of the index when
 * the tag names one (`skopeo copy --all` writes such layouts), with its
 * platform, or the one image. Entries of the index that are not images (a
 * nested index) are left out.
 *
 * @param directory The layout's directory.
 * @param options The tag (`platform` is not used).
 * @returns The images, in the index's order; with `sourceIndex`, the index's
 * own bytes, when they are every image of it (`writeIndex` then writes them again).
 * @throws what {@link readLayout} throws, but no {@link NoMatchingPlatformError}.
 *
 * @example Every platform of a layout, as `writeIndex` takes them
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, StreamLayer } from "streamlayer";
 * import { readLayoutImages, writeLayout } from "streamlayer/layout";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * await writeLayout("one", appendLayers(emptyImage({ architecture: "arm64" }), layer), { tag: "v1" });
 * const images = await readLayoutImages("one", { tag: "v1" });
 * assert.equal(images.length, 1); // one image, named directly by index.json
 * assert.equal((await images[0]!.image.values()).configFile.architecture, "arm64");
 * ```
 */
export async function readLayoutImages(directory: string, options: Omit<ReadLayoutOptions, "platform"> = {}): Promise<LayoutImage[] & { sourceIndex?: SourceIndex }> {
  const entry = await chooseEntry(directory, options.tag);
  if (!isIndexMediaType(entry.mediaType)) return [{ image: await readImage(directory, entry) }];
  const bytes = await readVerifiedBlob(directory, entry);
  const index = readIndex(bytes, `${directory}: index ${entry.digest}`);
  const images: LayoutImage[] = [];
  for (const manifest of index.manifests) {
    if (!isManifestMediaType(manifest.mediaType)) continue;
    const image = await readImage(directory, manifest);
    images.push(manifest.platform ? { image, platform: manifest.platform } : { image });
  }
  // Every image of the index: writeIndex may write the index's own bytes again, keeping its digest.
  return images.length === index.manifests.length ? Object.assign(images, { sourceIndex: { bytes, mediaType: entry.mediaType } }) : images;
}

function nameOf(directory: string, tag: string | undefined): string {
  return tag === undefined ? `oci:${directory}` : `oci:${directory}:${tag}`;
}

async function chooseEntry(directory: string, tag: string | undefined): Promise<Descriptor> {
  const path = join(directory, "index.json");
  const size = await stat(path).then(
    (found) => found.size,
    (error: unknown) => {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      return Promise.reject(missing ? new InvalidLayoutError(path, "no index.json: not an OCI layout", { cause: error }) : error);
    },
  );
  if (size > INDEX_LIMIT) throw new InvalidLayoutError(path, `${size} bytes: an index.json is read only up to ${INDEX_LIMIT}`);
  const bytes = await readFile(path);
  let index: Index;
  try {
    index = readIndex(new Uint8Array(bytes), path);
  } catch (error) {
    throw new InvalidLayoutError(path, "not an OCI image index", { cause: error });
  }
  const tags = index.manifests.flatMap((entry) => entry.annotations?.[REF_NAME] ?? []);
  const found = tag === undefined ? (index.manifests.length === 1 ? index.manifests[0] : undefined) : index.manifests.find((entry) => entry.annotations?.[REF_NAME] === tag);
  if (!found) throw new LayoutImageNotFoundError(directory, tag, tags);
  return found;
}

async function readNestedIndex(directory: string, entry: Descriptor): Promise<Index> {
  return readIndex(await readVerifiedBlob(directory, entry), `${directory}: index ${entry.digest}`);
}

/** The image a manifest descriptor names, with its exact manifest and config bytes. */
async function readImage(directory: string, entry: Descriptor): Promise<Image> {
  const name = `${directory}: manifest ${entry.digest}`;
  const rawManifest = await readVerifiedBlob(directory, entry);
  const manifest = readManifest(rawManifest, name);
  const mediaType = manifest.mediaType ?? entry.mediaType;
  if (!isManifestMediaType(mediaType)) throw new UnsupportedImageError(name, `manifest media type ${mediaType || "(none)"}`);
  const rawConfig = await readVerifiedBlob(directory, manifest.config);
  return storedImage({
    name,
    mediaType,
    manifest,
    rawManifest,
    digest: entry.digest,
    rawConfig,
    layerOf: (descriptor, diffID) => new LayoutLayer(directory, descriptor, diffID),
  });
}
