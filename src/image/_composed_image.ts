import { NotComputedError } from "../layer/errors.ts";
import type { Layer } from "../layer/layer.ts";
import { hashJson } from "./_canonical_json.ts";
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

/** The one `Image` implementation: a base and the layers appended to it. */
export class ComposedImage implements Image {
  readonly format: ImageFormat;
  readonly base: ImageBase;
  readonly added: readonly Layer[];
  #values: Promise<ImageValues> | undefined;
  #settled: ImageValues | undefined;
  #failure: unknown;

  constructor(base: ImageBase, added: readonly Layer[]) {
    this.format = base.format;
    this.base = base;
    this.added = added;
    // Start waiting now so that `computed()` turns true soon after the last
    // stream ends, without anyone having to call `values()`.
    this.values().then(
      (values) => (this.#settled = values),
      (error: unknown) => (this.#failure = error),
    );
  }

  mediaType(): string {
    return this.base.manifestMediaType;
  }

  layers(): readonly Layer[] {
    return [...this.base.layers, ...this.added];
  }

  values(): Promise<ImageValues> {
    this.#values ??= this.#compute();
    return this.#values;
  }

  computed(): ImageValues {
    if (this.#settled) return this.#settled;
    const reason = this.#failure === undefined ? "not every streaming layer has been read to its end" : "a layer failed";
    throw new NotComputedError(`Image config and manifest not computed: ${reason}`, { cause: this.#failure });
  }

  async #compute(): Promise<ImageValues> {
    const added = await Promise.all(this.added.map((layer) => describe(layer, this.format)));
    if (added.length === 0 && this.base.pulled) return this.base.pulled;
    const configFile = nextConfig(this.base.configFile, added, this.base.layers.length);
    const config = await hashJson(configFile);
    const configDescriptor = { mediaType: this.base.configMediaType, digest: config.digest, size: config.bytes.length };
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: this.base.manifestMediaType,
      config: configDescriptor,
      layers: [...this.base.layerDescriptors, ...added.map((layer) => layer.descriptor)],
    };
    if (this.base.annotations) manifest.annotations = this.base.annotations;
    const hashed = await hashJson(manifest);
    return {
      configFile,
      rawConfigFile: config.bytes,
      config: configDescriptor,
      manifest,
      rawManifest: hashed.bytes,
      descriptor: { mediaType: this.base.manifestMediaType, digest: hashed.digest, size: hashed.bytes.length },
    };
  }
}

async function describe(layer: Layer, format: ImageFormat): Promise<AddedLayer> {
  const [digest, diffID, size] = await Promise.all([layer.digest(), layer.diffID(), layer.size()]);
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
