import type { Layer } from "../layer/layer.ts";
import { layerValues } from "../layer/_partial.ts";
import { hashJson } from "./_canonical_json.ts";
import { DeferredImageValues } from "./_deferred_values.ts";
import type { Image, ImageValues } from "./image.ts";
import { type ImageFormat, layerMediaTypeFor } from "./media_types.ts";
import type { ConfigFile, HistoryEntry } from "../oci/config_file.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Manifest } from "../oci/manifest.ts";

/** What an image starts from: nothing (`emptyImage`) or a pulled image. */
export interface ImageBase {
  readonly format: ImageFormat;
  readonly manifestMediaType: string;
  readonly configMediaType: string;
  readonly configFile: ConfigFile;
  /** The layers of the base, with the descriptors its manifest gave them. */
  readonly layers: readonly Layer[];
  readonly layerDescriptors: readonly Descriptor[];
  readonly annotations?: Record<string, string>;
  /**
   * A pulled base's values with the registry's exact bytes and digest, used
   * as they are while nothing is appended.
   */
  readonly pulled?: ImageValues;
}

interface AddedLayer {
  readonly descriptor: Descriptor;
  readonly diffID: string;
}

/**
 * streamlayer's `Image`: a base and the layers appended to it. The base is
 * what `emptyImage` or `pullImage` describe, or any other `Image`, read
 * through its interface (its layers, media type and values).
 */
export class ComposedImage implements Image {
  readonly format: ImageFormat;
  readonly base: ImageBase | Image;
  readonly added: readonly Layer[];
  readonly #values: DeferredImageValues;

  constructor(base: ImageBase | Image, added: readonly Layer[]) {
    this.format = base.format;
    this.base = base;
    this.added = added;
    this.#values = new DeferredImageValues(() => this.#compute(), {
      notYet: "not every streaming layer has been read to its end",
      failed: "a layer failed",
    });
  }

  mediaType(): string {
    return isImage(this.base) ? this.base.mediaType() : this.base.manifestMediaType;
  }

  layers(): readonly Layer[] {
    return [...(isImage(this.base) ? this.base.layers() : this.base.layers), ...this.added];
  }

  values(): Promise<ImageValues> {
    return this.#values.get();
  }

  computed(): ImageValues {
    return this.#values.settled();
  }

  async #compute(): Promise<ImageValues> {
    const added = await Promise.all(this.added.map((layer) => describe(layer, this.format)));
    const base = isImage(this.base) ? await baseOf(this.base) : this.base;
    if (added.length === 0 && base.pulled) return base.pulled;
    const configFile = nextConfig(base.configFile, added, base.layers.length);
    const config = await hashJson(configFile);
    const configDescriptor = { mediaType: base.configMediaType, digest: config.digest, size: config.bytes.length };
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: base.manifestMediaType,
      config: configDescriptor,
      layers: [...base.layerDescriptors, ...added.map((layer) => layer.descriptor)],
    };
    if (base.annotations) manifest.annotations = base.annotations;
    const hashed = await hashJson(manifest);
    return {
      configFile,
      rawConfigFile: config.bytes,
      config: configDescriptor,
      manifest,
      rawManifest: hashed.bytes,
      descriptor: { mediaType: base.manifestMediaType, digest: hashed.digest, size: hashed.bytes.length },
    };
  }
}

function isImage(base: ImageBase | Image): base is Image {
  return typeof (base as Partial<Image>).values === "function";
}

// Any image, through its interface: its values say all a base must.
async function baseOf(image: Image): Promise<ImageBase> {
  const values = await image.values();
  return {
    format: image.format,
    manifestMediaType: image.mediaType(),
    configMediaType: values.config.mediaType,
    configFile: values.configFile,
    layers: image.layers(),
    layerDescriptors: values.manifest.layers,
    annotations: values.manifest.annotations,
    pulled: values,
  };
}

async function describe(layer: Layer, format: ImageFormat): Promise<AddedLayer> {
  const { digest, diffID, size } = await layerValues(layer);
  // appendLayers refused the layers a format cannot list.
  const mediaType = layerMediaTypeFor(format, layer.mediaType()) ?? layer.mediaType();
  return { descriptor: { mediaType, digest, size }, diffID };
}

function nextConfig(base: ConfigFile, added: readonly AddedLayer[], baseLayerCount: number): ConfigFile {
  const config = JSON.parse(JSON.stringify(base)) as ConfigFile;
  config.rootfs = { type: "layers", diff_ids: [...(base.rootfs?.diff_ids ?? []), ...added.map((layer) => layer.diffID)] };
  // History counts layers; adding entries to a base that lists none would
  // make a history that describes only some of them, so leave it out then.
  if (base.history !== undefined || baseLayerCount === 0) {
    const entry: HistoryEntry = { created: config.created ?? "1970-01-01T00:00:00Z", created_by: "streamlayer" };
    config.history = [...(base.history ?? []), ...added.map(() => ({ ...entry }))];
  }
  return config;
}
