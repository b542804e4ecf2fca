import { type FetchedManifest, RegistryClient, type RegistryClientOptions } from "../registry/client.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { formatReference, parseReference } from "../registry/reference.ts";
import { digestLike } from "../hash/_pinned_digest.ts";
import { readIndex, readManifest } from "./_manifest_shape.ts";
import { storedImage } from "./_stored_image.ts";
import { choosePlatform, formatPlatform } from "./_platform.ts";
import { NoMatchingPlatformError, UnsupportedImageError } from "./errors.ts";
import type { Image } from "./image.ts";
import { isIndexMediaType, isManifestMediaType } from "../oci/media_types.ts";
import { RemoteLayer } from "../registry/remote_layer.ts";
import type { Platform } from "../oci/descriptor.ts";

/** Options of {@link pullImage}. */
export interface PullImageOptions extends RegistryClientOptions {
  /**
   * The platform to take from an image index (a multi-platform image).
   * A variant is matched only when given.
   * @default { os: "linux", architecture: "amd64" }
   */
  platform?: Platform;
}

/**
 * An image from a registry, to build on: its manifest (the one for
 * `platform` when the reference names an index), its config, and its layers
 * as {@link RemoteLayer}s. No layer bytes are downloaded here.
 *
 * While nothing is appended, the image keeps the registry's exact manifest and
 * config bytes, so its digest is the registry's.
 *
 * @param reference The image, such as `127.0.0.1:5000/alpine:3` or `...@sha256:...`.
 * @param options Credentials, fetch, signal, platform.
 * @returns The image; append layers to it with `appendLayers`.
 * @throws {InvalidReferenceError} for a bad reference.
 * @throws {RegistryError} when the registry fails (404 for an unknown image); {@link AuthError} when it refuses.
 * @throws {NoMatchingPlatformError} when the index has no image for the platform.
 * @throws {UnsupportedImageError} for a Docker schema 1 manifest, an artifact, a config that does not match,
 * or an answer that is not a well-formed index, manifest or config (`"config": null`, a digest that is not sha256 or sha512).
 * @throws {DigestMismatchError} when a manifest pinned by digest (the reference's, or an index entry's), or the
 * config, does not match its sha256 or sha512 digest.
 *
 * @example Append to a base image, as `crane append` does
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, pullImage, StreamLayer, writeImage } from "streamlayer";
 *
 * const base = await pullImage("127.0.0.1:5000/base:1", { platform: { os: "linux", architecture: "arm64" } });
 * const layer = new StreamLayer(createTarStream([{ path: "app/config.json", data: "{}" }]));
 * const image = appendLayers(base, layer);
 * await writeImage("127.0.0.1:5000/app:1", image);
 * const { manifest, configFile } = await image.values();
 * assert.equal(manifest.layers.length, base.layers().length + 1);
 * assert.equal(manifest.layers.at(-1)?.digest, await layer.digest());
 * assert.equal(configFile.architecture, "arm64");
 * ```
 */
export async function pullImage(reference: string, options: PullImageOptions = {}): Promise<Image> {
  const parsed = parseReference(reference, { insecure: options.insecure });
  const client = new RegistryClient(parsed, options);
  const name = formatReference(parsed);
  let fetched = await client.getManifest(parsed.digest ?? parsed.tag ?? "latest");
  let mediaType = mediaTypeOf(fetched);
  if (isIndexMediaType(mediaType)) {
    const index = readIndex(fetched.bytes, name);
    const wanted = options.platform ?? { os: "linux", architecture: "amd64" };
    const entry = choosePlatform(index.manifests, wanted);
    if (!entry) {
      throw new NoMatchingPlatformError(name, formatPlatform(wanted), index.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : [])));
    }
    fetched = await client.getManifest(entry.digest);
    mediaType = mediaTypeOf(fetched);
  }
  if (!isManifestMediaType(mediaType)) throw new UnsupportedImageError(name, `manifest media type ${mediaType || "(none)"}`);
  const manifest = readManifest(fetched.bytes, name);
  const rawConfig = await readBlob(client, manifest.config.digest);
  // getManifest hashed these bytes already: that digest is the registry's.
  return storedImage({
    name,
    mediaType,
    manifest,
    rawManifest: fetched.bytes,
    digest: fetched.descriptor.digest,
    rawConfig,
    layerOf: (descriptor, diffID) => new RemoteLayer(client, descriptor, diffID),
  });
}

function mediaTypeOf(fetched: FetchedManifest): string {
  // Registries answer with the manifest's own media type; fall back on its field.
  if (fetched.descriptor.mediaType && fetched.descriptor.mediaType !== "application/json") return fetched.descriptor.mediaType;
  try {
    const { mediaType } = (JSON.parse(new TextDecoder().decode(fetched.bytes)) ?? {}) as { mediaType?: unknown };
    return typeof mediaType === "string" ? mediaType : "";
  } catch {
    return "";
  }
}

async function readBlob(client: RegistryClient, digest: string): Promise<Uint8Array> {
  const bytes = await client.getSmallBlob(digest); // at most 4 MiB: a config is small
  const actual = await digestLike(digest, bytes);
  if (actual !== digest) throw new DigestMismatchError(digest, actual, `config of ${client.reference.registry}/${client.reference.repository}`);
  return bytes;
}
