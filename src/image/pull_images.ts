import { RegistryClient } from "../registry/client.ts";
import { formatReference, parseReference } from "../registry/reference.ts";
import type { Platform } from "../oci/descriptor.ts";
import { isIndexMediaType, isManifestMediaType } from "../oci/media_types.ts";
import { readIndex } from "./_manifest_shape.ts";
import { choosePlatform, formatPlatform } from "./_platform.ts";
import { NoMatchingPlatformError } from "./errors.ts";
import { pullImage, type PullImageOptions } from "./pull_image.ts";
import type { IndexEntry, SourceIndex } from "./write_index.ts";

/** Options of {@link pullImages}. */
export interface PullImagesOptions extends Omit<PullImageOptions, "platform"> {
  /**
   * The platforms to take from an image index, each matched as
   * {@link pullImage} matches one (a variant only when given).
   * @default every image of the index
   */
  platforms?: readonly Platform[];
}

/**
 * Every image a reference names, each with its platform: the images of an
 * image index (all of them, or those of `platforms`, in the index's order),
 * or the one image of a single manifest (its platform from its config). Each
 * is what {@link pullImage} gives: no layer bytes are downloaded here. What
 * {@link writeIndex} takes, to copy a multi-platform image.
 *
 * @param reference The image, such as `127.0.0.1:5000/alpine:3`.
 * @param options Credentials, fetch, signal, and the platforms to take.
 * @returns The images, each with its platform and its entry's annotations;
 * with `sourceIndex`, the index's own bytes, when they are every image of it.
 * @throws {NoMatchingPlatformError} when the index has no image for one of `platforms`.
 * @throws what {@link pullImage} throws.
 *
 * @example The platforms of a multi-platform image
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, pullImages, StreamLayer, writeIndex } from "streamlayer";
 *
 * await writeIndex("127.0.0.1:5000/platforms:1", ["amd64", "arm64"].map((architecture) => ({
 *   image: appendLayers(emptyImage({ architecture }), new StreamLayer(createTarStream([{ path: "arch", data: architecture }]))),
 * })));
 * const images = await pullImages("127.0.0.1:5000/platforms:1");
 * assert.deepEqual(images.map(({ platform }) => platform?.architecture), ["amd64", "arm64"]);
 * ```
 */
export async function pullImages(reference: string, options: PullImagesOptions = {}): Promise<IndexEntry[] & { sourceIndex?: SourceIndex }> {
  const parsed = parseReference(reference, { insecure: options.insecure });
  const name = formatReference(parsed);
  const repository = formatReference({ ...parsed, tag: undefined, digest: undefined });
  const client = new RegistryClient(parsed, options);
  const fetched = await client.getManifest(parsed.digest ?? parsed.tag ?? "latest");
  const mediaType = fetched.descriptor.mediaType ?? "";
  if (!isIndexMediaType(mediaType) && !isIndexMediaType(declaredMediaType(fetched.bytes))) {
    const image = await pullImage(`${repository}@${fetched.descriptor.digest}`, options);
    const { configFile } = await image.values();
    const platform: Platform = { os: configFile.os, architecture: configFile.architecture };
    if (configFile.variant) platform.variant = configFile.variant;
    return [{ image, platform }];
  }
  const index = readIndex(fetched.bytes, name);
  const images = index.manifests.filter((entry) => isManifestMediaType(entry.mediaType));
  const wanted = options.platforms === undefined ? images : options.platforms.map((platform) => {
    const entry = choosePlatform(images, platform);
    if (!entry) throw new NoMatchingPlatformError(name, formatPlatform(platform), images.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : [])));
    return entry;
  });
  const entries: IndexEntry[] = await Promise.all(
    wanted.map(async (entry) => ({
      image: await pullImage(`${repository}@${entry.digest}`, options),
      ...(entry.platform ? { platform: entry.platform } : {}),
      ...(entry.annotations ? { annotations: entry.annotations } : {}),
    })),
  );
  // Every image of the index: writeIndex may write the index's own bytes again.
  const whole = options.platforms === undefined && images.length === index.manifests.length;
  const indexMediaType = isIndexMediaType(mediaType) ? mediaType : declaredMediaType(fetched.bytes);
  return whole ? Object.assign(entries, { sourceIndex: { bytes: fetched.bytes, mediaType: indexMediaType } }) : entries;
}

function declaredMediaType(bytes: Uint8Array): string {
  try {
    const { mediaType } = (JSON.parse(new TextDecoder().decode(bytes)) ?? {}) as { mediaType?: unknown };
    return typeof mediaType === "string" ? mediaType : "";
  } catch {
    return "";
  }
}
