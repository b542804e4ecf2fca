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

/**
 * An image layer: a blob and what describes it.
 *
 * Kept as small as go-containerregistry's `v1.Layer`. A streaming layer knows
 * its values only once `compressed()` has been read to the end; a layer made
 * from bytes knows them from the start.
 */
export interface Layer {
  /** SHA-256 of the compressed bytes. */
  digest(): Promise<string>;
  /** SHA-256 of the uncompressed bytes. */
  diffID(): Promise<string>;
  /** The number of compressed bytes. */
  size(): Promise<number>;
  /** The media type the layer is stored under. */
  mediaType(): string;
  /** The compressed bytes. A streaming layer hands them out once. */
  compressed(): ReadableStream<Uint8Array>;
  /**
   * The three values if they are known now, without waiting.
   *
   * @throws {NotComputedError} when they are not known yet.
   */
  computed(): LayerValues;
}
