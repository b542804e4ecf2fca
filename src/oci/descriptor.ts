/**
 * What a registry knows a blob or manifest by: its media type, its digest and
 * its size in bytes, with the optional fields manifests and indexes use. The
 * shape of an OCI content descriptor.
 *
 * @example The descriptor of a pushed layer
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer, writeLayer, type Descriptor } from "streamlayer";
 *
 * const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());
 * const descriptor: Descriptor = await writeLayer("127.0.0.1:5000/demo", layer);
 * assert.equal(descriptor.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
 * assert.equal(descriptor.digest, await layer.digest());
 * assert.equal(descriptor.size, await layer.size());
 * ```
 */
export interface Descriptor {
  /** The media type of the content, such as `application/vnd.oci.image.layer.v1.tar+gzip`. */
  readonly mediaType: string;
  /** `sha256:<64 lowercase hex digits>` (or `sha512:` and 128): see {@link Digest}. */
  readonly digest: string;
  /** The content's size in bytes. */
  readonly size: number;
  /** Free-form annotations. */
  readonly annotations?: Record<string, string>;
  /** For an entry of an image index: the platform it runs on. */
  readonly platform?: Platform;
  /** Other locations of the content. */
  readonly urls?: string[];
}

/** The platform an image runs on. */
export interface Platform {
  /** Operating system, such as `linux`. */
  os: string;
  /** CPU architecture in Go's spelling, such as `amd64` or `arm64`. */
  architecture: string;
  /** CPU variant, such as `v8` for `arm64`. */
  variant?: string;
  /** Operating system version (Windows). */
  "os.version"?: string;
  /** Required operating system features (Windows). */
  "os.features"?: string[];
}
