// An image as a registry or a layout stores it: its manifest's and config's
// exact bytes, and its layers where they are. pullImage and readLayout differ
// only in where the bytes come from and what a layer is.
import type { Descriptor } from "../oci/descriptor.ts";
import type { Layer } from "../layer/layer.ts";
import type { Manifest } from "../oci/manifest.ts";
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_CONFIG, OCI_MANIFEST } from "../oci/media_types.ts";
import { ComposedImage } from "./_composed_image.ts";
import { readConfig } from "./_manifest_shape.ts";
import { UnsupportedImageError } from "./errors.ts";
import type { Image } from "./image.ts";

/** What a stored image is made from. */
export interface StoredImageParts {
  /** The name errors give: a reference, or a layout's path and digest. */
  readonly name: string;
  /** The manifest's media type: Docker's or OCI's. */
  readonly mediaType: string;
  readonly manifest: Manifest;
  /** The manifest's bytes, exactly as stored (already checked against `digest`). */
  readonly rawManifest: Uint8Array;
  /** The manifest's digest. */
  readonly digest: string;
  /** The config's bytes, exactly as stored (already checked against its descriptor). */
  readonly rawConfig: Uint8Array;
  /** A layer for a descriptor of the manifest and its DiffID from the config. */
  readonly layerOf: (descriptor: Descriptor, diffID: string) => Layer;
}

/**
 * The image whose manifest and config are `parts`: its layers the stored
 * ones, its manifest and config the stored bytes, so that writing it again
 * gives the same digest.
 *
 * @throws {UnsupportedImageError} when the manifest and the config disagree on the number of layers.
 */
export function storedImage(parts: StoredImageParts): Image {
  const { name, mediaType, manifest, rawManifest, digest, rawConfig, layerOf } = parts;
  const configFile = readConfig(rawConfig, name);
  const diffIDs = configFile.rootfs?.diff_ids ?? [];
  if (diffIDs.length !== manifest.layers.length) {
    throw new UnsupportedImageError(name, `the manifest lists ${manifest.layers.length} layers and the config ${diffIDs.length} DiffIDs`);
  }
  const format = mediaType === DOCKER_MANIFEST ? "docker" : "oci";
  const manifestMediaType = format === "docker" ? DOCKER_MANIFEST : OCI_MANIFEST;
  return new ComposedImage(
    {
      format,
      manifestMediaType,
      configMediaType: manifest.config.mediaType ?? (format === "docker" ? DOCKER_CONFIG : OCI_CONFIG),
      configFile,
      layers: manifest.layers.map((descriptor, i) => layerOf(descriptor, diffIDs[i] ?? "")),
      layerDescriptors: manifest.layers,
      annotations: manifest.annotations,
      pulled: {
        configFile,
        rawConfigFile: rawConfig,
        config: manifest.config,
        manifest,
        rawManifest,
        descriptor: { mediaType: manifestMediaType, digest, size: rawManifest.length },
      },
    },
    [],
  );
}
