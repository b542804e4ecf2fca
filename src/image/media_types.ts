import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP } from "../layer/media_types.ts";

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

/** The manifest formats an image can be written in. */
export type ImageFormat = "oci" | "docker";

/** Whether `mediaType` names an image index or a Docker manifest list. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** Whether `mediaType` names a single-platform image manifest. */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

// Docker's manifest knows only its own layer types; OCI's takes any.
const DOCKER_LAYER_TYPES = new Set([DOCKER_LAYER_GZIP, "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"]);

/**
 * The media type a manifest of `format` lists a layer of `mediaType` under: a
 * gzip layer takes the format's own spelling (skopeo and Docker refuse a
 * Docker v2 manifest with an OCI layer type). Undefined when a Docker v2
 * manifest cannot list the layer at all (zstd, uncompressed).
 */
export function layerMediaTypeFor(format: ImageFormat, mediaType: string): string | undefined {
  if (format === "oci") return mediaType === DOCKER_LAYER_GZIP ? OCI_LAYER_GZIP : mediaType;
  if (mediaType === OCI_LAYER_GZIP) return DOCKER_LAYER_GZIP;
  return DOCKER_LAYER_TYPES.has(mediaType) ? mediaType : undefined;
}
