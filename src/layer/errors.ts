import { StreamLayerError } from "../errors.ts";

/**
 * A value of a streaming layer (digest, DiffID, size) was asked for before the
 * compressed stream was read to its end, or after it was cancelled before its end.
 *
 * The counterpart of go-containerregistry's `stream.ErrNotComputed`.
 */
export class NotComputedError extends StreamLayerError {
  /** Always `"NotComputedError"`. */
  override readonly name = "NotComputedError";
  /** Makes the error, with the default message unless one is given. */
  constructor(message = "Value not computed until the compressed stream is consumed", options?: ErrorOptions) {
    super("NOT_COMPUTED", message, options);
  }
}

/**
 * `compressed()` was called a second time on a layer whose source can be read
 * only once.
 *
 * The counterpart of go-containerregistry's `stream.ErrConsumed`.
 */
export class ConsumedError extends StreamLayerError {
  /** Always `"ConsumedError"`. */
  override readonly name = "ConsumedError";
  /** Makes the error, with the default message unless one is given. */
  constructor(message = "Stream was already consumed: a streaming layer can be read only once", options?: ErrorOptions) {
    super("CONSUMED", message, options);
  }
}

/**
 * `uncompressed()` was called on a streaming layer: its input goes straight
 * into the compressor and is not kept, so it cannot be handed out again.
 */
export class UncompressedUnavailableError extends StreamLayerError {
  /** Always `"UncompressedUnavailableError"`. */
  override readonly name = "UncompressedUnavailableError";
  /** Makes the error, with the default message unless one is given. */
  constructor(message = "A streaming layer has no uncompressed form: its input is read once, into the compressor", options?: ErrorOptions) {
    super("UNCOMPRESSED_UNAVAILABLE", message, options);
  }
}

/**
 * What the first bytes of a layer's source turned out to be, when they were not
 * a tar; for a compressed source, what is wrong with it (`"trailing-bytes"`:
 * bytes after the last gzip member, zero padding included, which Go's gzip
 * reader, and so containerd and Docker, fail on).
 */
export type LayerSourceProblem = "gzip" | "zstd" | "not-tar" | "image-tarball" | "not-gzip" | "corrupt-gzip" | "trailing-bytes" | "not-zstd" | "corrupt-zstd";

/**
 * The bytes given as a layer's source are not what the layer takes: a
 * compressed file where a tar was expected, bytes that are not a tar at all,
 * or a whole image tarball where one layer was expected. Checked on the first
 * entry (at most the first 64 KiB); `requireTar: false` turns the check off.
 */
export class InvalidLayerSourceError extends StreamLayerError {
  /** Always `"InvalidLayerSourceError"`. */
  override readonly name = "InvalidLayerSourceError";
  /** What was found instead of a tar. */
  readonly found: LayerSourceProblem;

  /** Makes the error from what was found and a message that says what to do. */
  constructor(found: LayerSourceProblem, message: string, options?: ErrorOptions) {
    super("INVALID_LAYER_SOURCE", message, options);
    this.found = found;
  }
}
