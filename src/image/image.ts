import type { Layer } from "../layer/layer.ts";
import type { ImageFormat } from "./media_types.ts";
import type { ConfigFile } from "../oci/config_file.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Manifest } from "../oci/manifest.ts";

/**
 * The config and manifest of an image, once known: the parsed values and the
 * exact bytes that were hashed. Write the bytes, never a re-serialization of
 * the objects, or the digests will no longer match.
 */
export interface ImageValues {
  /** The config, parsed. */
  readonly configFile: ConfigFile;
  /** The config's bytes, as hashed. */
  readonly rawConfigFile: Uint8Array;
  /** The config blob's descriptor. */
  readonly config: Descriptor;
  /** The manifest, parsed. */
  readonly manifest: Manifest;
  /** The manifest's bytes, as hashed. */
  readonly rawManifest: Uint8Array;
  /** The manifest's descriptor: its media type, digest and size. */
  readonly descriptor: Descriptor;
}

/**
 * A container image: layers, a config and a manifest.
 *
 * Like go-containerregistry's `mutate.Append` result, an image that holds a
 * streaming layer cannot know its config (which lists DiffIDs) nor its manifest
 * (which lists digests and sizes) until that layer's compressed stream has
 * been read to its end. {@link Image.computed} says so without waiting;
 * {@link Image.values} waits.
 */
export interface Image {
  /** The manifest format: `oci` or `docker`. */
  readonly format: ImageFormat;
  /** The manifest's media type. */
  mediaType(): string;
  /** The layers, bottom first. */
  layers(): readonly Layer[];
  /**
   * The config and manifest, once every layer is known.
   *
   * Waits for streaming layers to be consumed by someone else (an upload,
   * a layout writer); it never reads them itself.
   *
   * @throws {NotComputedError} when a streaming layer was cancelled before its end.
   */
  values(): Promise<ImageValues>;
  /**
   * The config and manifest if they are known now, without waiting.
   *
   * @throws {NotComputedError} while a streaming layer is not fully read, or
   * the config and manifest are still being hashed.
   */
  computed(): ImageValues;
}
