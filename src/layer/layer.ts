import type { Descriptor } from "../oci/descriptor.ts";

/**
 * What a layer's digest, DiffID and size are once known. Digests have the form
 * `sha256:<64 lowercase hex digits>`.
 */
export interface LayerValues {
  /** SHA-256 of the compressed bytes: the name of the blob in a registry. */
  readonly digest: string;
  /** SHA-256 of the uncompressed bytes: what an image config lists in `rootfs.diff_ids`. */
  readonly diffID: string;
  /** The number of compressed bytes. */
  readonly size: number;
}

/** Where a layer's blob is stored already, so that a push to the same registry can mount it. */
export interface MountSource {
  /** The registry host, with its port if any, as {@link Reference.registry} spells it. */
  readonly registry: string;
  /** The repository that holds the blob. */
  readonly repository: string;
}

/**
 * An image layer: a blob and what describes it. The contract every writer
 * (`writeLayer`, `writeImage`, `writeLayout`, `appendLayers`) works through;
 * `StreamLayer`, `CompressedStreamLayer`, `blobLayer` and a pulled image's
 * layers are implementations like any other, and so can a user's be.
 *
 * Kept as small as go-containerregistry's `v1.Layer`: a media type, the
 * compressed bytes, and three values once known.
 *
 * **When values are asked.** A writer reads `compressed()` to its end first
 * and only then awaits `digest()`, `diffID()` and `size()`, so a streaming
 * layer may compute them as the bytes go by. Before the end, a layer may
 * leave those promises pending or reject them with any error: nothing of
 * streamlayer's needs to be imported to say "not computed yet". An image
 * built by `appendLayers` asks again once the stream has ended.
 *
 * **Optional capabilities**, each found by its presence, never by the class:
 * - {@link Layer.knownDescriptor}: the blob's digest and size known before
 *   reading, which lets a writer ask the registry (or the layout) whether it
 *   holds the blob already and skip the upload.
 * - {@link Layer.mountFrom}: the registry and repository that hold the blob,
 *   which lets `writeImage` mount it instead of uploading it.
 * - {@link Layer.bytesRead}: uncompressed bytes read so far, for progress.
 * - {@link Layer.computed}: the values now, without waiting.
 *
 * @example A layer written by hand: bytes compressed elsewhere, values known up front
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeLayer, type Layer } from "streamlayer";
 *
 * const gzip = new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const digest = "sha256:" + Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", gzip)), (b) => b.toString(16).padStart(2, "0")).join("");
 * const mediaType = "application/vnd.oci.image.layer.v1.tar+gzip";
 * const layer: Layer = {
 *   mediaType: () => mediaType,
 *   compressed: () => new Blob([gzip]).stream(),
 *   digest: async () => digest,
 *   diffID: async () => "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
 *   size: async () => gzip.length,
 *   knownDescriptor: async () => ({ mediaType, digest, size: gzip.length }),
 * };
 * const descriptor = await writeLayer("127.0.0.1:5000/demo", layer);
 * assert.equal(descriptor.digest, digest);
 * ```
 */
export interface Layer {
  /** The media type the layer is stored under. */
  mediaType(): string;
  /** The compressed bytes. A streaming layer hands them out once. */
  compressed(): ReadableStream<Uint8Array>;
  /** SHA-256 of the compressed bytes: asked once `compressed()` has been read to its end. */
  digest(): Promise<string>;
  /** SHA-256 of the uncompressed bytes: asked once `compressed()` has been read to its end. */
  diffID(): Promise<string>;
  /** The number of compressed bytes: asked once `compressed()` has been read to its end. */
  size(): Promise<number>;
  /**
   * Capability: the blob's descriptor when it is known without reading the
   * bytes (they are at hand, or stored in a registry); undefined when not
   * known yet. A writer then looks for the blob first and skips the upload
   * (or mounts it) when it is there, so the stream may never be read: a
   * layer that gives a descriptor answers `digest()`, `diffID()` and
   * `size()` without being read.
   */
  knownDescriptor?(): Promise<Descriptor | undefined>;
  /** Capability: where the blob is stored already, for `writeImage` to mount it within that registry. */
  readonly mountFrom?: MountSource;
  /** Capability: uncompressed bytes read from the source so far, for `onProgress`'s `read`. */
  bytesRead?(): number;
  /**
   * Capability: the three values if they are known now, without waiting.
   * Throws (any error) when they are not known yet; streamlayer's own
   * layers throw {@link NotComputedError}.
   */
  computed?(): LayerValues;
}
