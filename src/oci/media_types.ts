// Every media type streamlayer reads or writes, in one place like
// go-containerregistry's `types` package.

/** The OCI media type of a gzip-compressed tar layer. The default. */
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

/** Docker's media type of a gzip-compressed tar layer, for Docker schema 2 manifests. */
export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** Docker's media type of a foreign (not distributable) gzip layer. */
export const DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/** The media types a gzip layer made by streamlayer may carry. */
export type GzipLayerMediaType = typeof OCI_LAYER_GZIP | typeof DOCKER_LAYER_GZIP;

/**
 * The OCI media type of a zstd-compressed tar layer. Pulled by containerd 1.5+
 * and Docker 23+; Docker's own manifest format has no zstd layer type.
 */
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

/** The media types a layer made by streamlayer may carry: gzip, or OCI's zstd. */
export type CompressedLayerMediaType = GzipLayerMediaType | typeof OCI_LAYER_ZSTD;

/** The media type of an OCI image manifest. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** The media type of an OCI image index (a manifest list). */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** The media type of an OCI image config. */
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

/** The media type of a Docker schema 2 manifest. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** The media type of a Docker schema 2 manifest list. */
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/** The media type of a Docker image config. */
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

/** What a blob is served as when nothing better is known. */
export const OCTET_STREAM = "application/octet-stream";

/**
 * The media types a manifest GET accepts unless told otherwise: OCI and Docker, images and indexes.
 *
 * @example Accepting OCI manifests only
 * ```ts
 * import assert from "node:assert/strict";
 * import { MANIFEST_MEDIA_TYPES, RegistryClient } from "streamlayer/registry";
 *
 * const oci = MANIFEST_MEDIA_TYPES.filter((type) => type.startsWith("application/vnd.oci."));
 * const found = await new RegistryClient("127.0.0.1:5000/demo").headManifest("latest", oci);
 * assert.ok(found && oci.includes(found.mediaType), "an OCI manifest, or undefined when there is none");
 * ```
 */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

/** Whether `mediaType` names an image index or a Docker manifest list. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** Whether `mediaType` names a single-platform image manifest. */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}
