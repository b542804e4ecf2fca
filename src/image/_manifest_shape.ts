import { isVerifiableDigest } from "../hash/_pinned_digest.ts";
import { UnsupportedImageError } from "./errors.ts";
import type { ConfigFile } from "../oci/config_file.ts";
import type { Index, Manifest } from "../oci/manifest.ts";

// A registry's JSON is untrusted: every field pullImage relies on is checked
// here, so that `"config": null` or `"manifests": [null]` is a typed refusal
// and not a TypeError from deep inside.

/** An image index with a `manifests` array of descriptors. */
export function readIndex(bytes: Uint8Array, reference: string): Index {
  const index = parseObject(bytes, reference, "index");
  if (!Array.isArray(index.manifests)) throw new UnsupportedImageError(reference, "the index has no manifests array");
  index.manifests.forEach((entry: unknown, i: number) => checkDescriptor(entry, reference, `index entry ${i}`));
  return index as unknown as Index;
}

/** An image manifest with a config descriptor and a `layers` array of descriptors. */
export function readManifest(bytes: Uint8Array, reference: string): Manifest {
  const manifest = parseObject(bytes, reference, "manifest");
  checkDescriptor(manifest.config, reference, "the manifest's config");
  if (!Array.isArray(manifest.layers)) throw new UnsupportedImageError(reference, "the manifest has no layers array");
  manifest.layers.forEach((layer: unknown, i: number) => checkDescriptor(layer, reference, `layer ${i}`));
  return manifest as unknown as Manifest;
}

/** A config whose `rootfs.diff_ids`, when present, is an array of strings. */
export function readConfig(bytes: Uint8Array, reference: string): ConfigFile {
  const config = parseObject(bytes, reference, "config");
  const rootfs = config.rootfs;
  if (rootfs !== undefined) {
    const diffIDs = isObject(rootfs) ? rootfs.diff_ids : undefined;
    if (diffIDs !== undefined && !(Array.isArray(diffIDs) && diffIDs.every((id) => typeof id === "string"))) {
      throw new UnsupportedImageError(reference, "the config's rootfs.diff_ids is not a list of digests");
    }
    if (!isObject(rootfs)) throw new UnsupportedImageError(reference, "the config's rootfs is not an object");
  }
  return config as unknown as ConfigFile;
}

function checkDescriptor(value: unknown, reference: string, what: string): void {
  if (!isObject(value)) throw new UnsupportedImageError(reference, `${what} is not a descriptor`);
  if (!isVerifiableDigest(value.digest)) {
    throw new UnsupportedImageError(reference, `${what} has no digest that can be verified (sha256 or sha512): ${JSON.stringify(value.digest)?.slice(0, 80)}`);
  }
  if (!Number.isSafeInteger(value.size) || (value.size as number) < 0) throw new UnsupportedImageError(reference, `${what} has no valid size`);
  if (value.mediaType !== undefined && typeof value.mediaType !== "string") throw new UnsupportedImageError(reference, `${what} has a media type that is not text`);
  const platform = value.platform;
  if (platform !== undefined && !(isObject(platform) && typeof platform.os === "string" && typeof platform.architecture === "string")) {
    throw new UnsupportedImageError(reference, `${what} has a platform without os and architecture`);
  }
}

function parseObject(bytes: Uint8Array, reference: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new UnsupportedImageError(reference, `the ${what} is not JSON`, { cause: error });
  }
  if (!isObject(value)) throw new UnsupportedImageError(reference, `the ${what} is not a JSON object`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
