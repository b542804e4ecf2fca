/**
 * Every `code` a {@link StreamLayerError} can carry: a union, so that a
 * misspelt code in a comparison or a `switch` does not compile. Stable across
 * releases; new codes may be added.
 */
export type StreamLayerErrorCode =
  // layer/
  | "NOT_COMPUTED"
  | "CONSUMED"
  | "UNCOMPRESSED_UNAVAILABLE"
  | "INVALID_LAYER_SOURCE"
  // compress/
  | "COMPRESSOR_UNAVAILABLE"
  // oci/
  | "DIGEST_MISMATCH"
  | "SIZE_MISMATCH"
  // registry/
  | "INVALID_REFERENCE"
  | "REGISTRY_ERROR"
  | "TIMEOUT"
  | "AUTH"
  | "UPLOAD_NOT_RESUMABLE"
  | "UNSAFE_REDIRECT"
  // image/
  | "NO_MATCHING_PLATFORM"
  | "UNSUPPORTED_IMAGE"
  // tar/
  | "UNSAFE_TAR_PATH"
  | "INVALID_TAR"
  // layout/
  | "INVALID_LAYOUT"
  | "LAYOUT_IMAGE_NOT_FOUND"
  // worker/
  | "WORKER_UNAVAILABLE"
  // keychain/
  | "CREDENTIAL_HELPER"
  // the command line's own (src/cli)
  | "USAGE"
  | "INPUT";

// Symbol.for reaches the one registry that all realms share, so the brand
// survives where `instanceof` does not.
const BRAND = Symbol.for("streamlayer.error");

/**
 * The base of every error streamlayer throws on purpose.
 *
 * `code` is stable across releases: match on it (or use {@link isStreamLayerError})
 * rather than on messages, which may be reworded.
 *
 * @example Matching an error by its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStreamLayerError, StreamLayer } from "streamlayer";
 *
 * const layer = new StreamLayer(new Blob(["x"]).stream());
 * // not known until the compressed stream is read to its end
 * assert.throws(() => layer.computed(), (error) => isStreamLayerError(error) && error.code === "NOT_COMPUTED");
 * ```
 */
export class StreamLayerError extends Error {
  // Each class spells its name out: minifiers rename classes, so
  // `new.target.name` would give "r" or "I" in a production bundle.
  /** The class's name, spelled out so that it survives minifiers; each subclass gives its own. */
  override readonly name: string = "StreamLayerError";
  /** A stable, machine-readable identifier, such as `CONSUMED`. */
  readonly code: StreamLayerErrorCode;

  /** Makes an error with a stable `code` and a message; `options.cause` chains the failure behind it. */
  constructor(code: StreamLayerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `value` is a {@link StreamLayerError}, also when it comes from another
 * realm (a worker, an iframe) or another copy of this package, where
 * `instanceof` fails: it looks for a brand set with `Symbol.for`, which every
 * realm shares.
 */
export function isStreamLayerError(value: unknown): value is StreamLayerError {
  if (value instanceof StreamLayerError) return true;
  return typeof value === "object" && value !== null && BRAND in value;
}
