import type { Layer } from "../layer/layer.ts";
import type { ConfigFile } from "../oci/config_file.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Manifest } from "../oci/manifest.ts";
import { hashJson } from "./_canonical_json.ts";
import { DeferredImageValues } from "./_deferred_values.ts";
import type { Image, ImageValues } from "./image.ts";
import type { ImageFormat } from "./media_types.ts";

/** What a {@link MutatedImage} changes: each a function of the base's value, given a copy. */
export interface Mutation {
  readonly config?: (configFile: ConfigFile) => ConfigFile;
  readonly annotations?: (annotations: Record<string, string>) => Record<string, string>;
}

/**
 * `base` with another config or other manifest annotations: the same layer
 * objects (a pulled layer stays remote, a streaming one is read once, by
 * whoever writes the image), the same manifest otherwise. Like an image made
 * by `appendLayers`, its values wait for the base's, so nothing here reads a
 * stream.
 */
export class MutatedImage implements Image {
  readonly format: ImageFormat;
  readonly #base: Image;
  readonly #mutation: Mutation;
  readonly #values: DeferredImageValues;

  constructor(base: Image, mutation: Mutation) {
    this.format = base.format;
    this.#base = base;
    this.#mutation = mutation;
    this.#values = new DeferredImageValues(() => this.#compute(), {
      notYet: "the base image's config and manifest are not known yet",
      failed: "the base image or the edit failed",
    });
  }

  mediaType(): string {
    return this.#base.mediaType();
  }

  layers(): readonly Layer[] {
    return this.#base.layers();
  }

  values(): Promise<ImageValues> {
    return this.#values.get();
  }

  computed(): ImageValues {
    return this.#values.settled();
  }

  async #compute(): Promise<ImageValues> {
    const base = await this.#base.values();
    const configFile = this.#mutation.config ? editedConfig(base.configFile, this.#mutation.config) : base.configFile;
    const annotations = this.#mutation.annotations ? this.#mutation.annotations({ ...base.manifest.annotations }) : base.manifest.annotations;
    const sameConfig = sameJson(configFile, base.configFile);
    // An edit that changes nothing keeps the stored bytes, and so the digest.
    if (sameConfig && sameJson(emptyAsNone(annotations), base.manifest.annotations)) return base;
    const config = sameConfig ? { bytes: base.rawConfigFile, descriptor: base.config } : await hashedConfig(configFile, base.config);
    // The base's manifest as it is (media type, layers, subject and any other field) but for the config and the annotations.
    const manifest: Manifest = { ...base.manifest, config: config.descriptor };
    delete manifest.annotations;
    if (emptyAsNone(annotations)) manifest.annotations = annotations;
    const hashed = await hashJson(manifest);
    return {
      configFile,
      rawConfigFile: config.bytes,
      config: config.descriptor,
      manifest,
      rawManifest: hashed.bytes,
      descriptor: { mediaType: base.descriptor.mediaType, digest: hashed.digest, size: hashed.bytes.length },
    };
  }
}

// The edit gets a copy to change or replace; the layers' DiffIDs are the
// image's whatever it returns, since the layers themselves are not changed.
function editedConfig(configFile: ConfigFile, edit: (configFile: ConfigFile) => ConfigFile): ConfigFile {
  const edited = edit(structuredClone(configFile));
  if (typeof edited !== "object" || edited === null || typeof edited.os !== "string" || typeof edited.architecture !== "string") {
    throw new TypeError("mutateConfig: the edit function must return a config with its os and architecture");
  }
  return { ...edited, rootfs: structuredClone(configFile.rootfs) };
}

async function hashedConfig(configFile: ConfigFile, previous: Descriptor): Promise<{ bytes: Uint8Array; descriptor: Descriptor }> {
  const { bytes, digest } = await hashJson(configFile);
  // Only the media type carries over: the old descriptor's urls or embedded data describe the old bytes.
  return { bytes, descriptor: { mediaType: previous.mediaType, digest, size: bytes.length } };
}

function emptyAsNone(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  return annotations && Object.keys(annotations).length > 0 ? annotations : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
