import { DOCKER_FOREIGN_LAYER_GZIP, DOCKER_LAYER_GZIP, OCI_LAYER_GZIP } from "../oci/media_types.ts";

/** The manifest formats an image can be written in. */
export type ImageFormat = "oci" | "docker";

// Docker's manifest knows only its own layer types; OCI's takes any.
const DOCKER_LAYER_TYPES = new Set([DOCKER_LAYER_GZIP, DOCKER_FOREIGN_LAYER_GZIP]);

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
