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
 * import { isStreamLayerError, StreamLayer } from "streamlayer";
 *
 * const layer = new StreamLayer(new Blob(["x"]).stream());
 * try {
 *   layer.computed();
 * } catch (error) {
 *   if (isStreamLayerError(error) && error.code === "NOT_COMPUTED") {
 *     // not known until the compressed stream is read to its end
 *   }
 * }
 * ```
 */
export class StreamLayerError extends Error {
  /** A stable, machine-readable identifier, such as `CONSUMED`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `value` is a {@link StreamLayerError}, also when it comes from another
 * realm (a worker, an iframe) or another copy of this package, where
 * `instanceof` fails.
 */
export function isStreamLayerError(value: unknown): value is StreamLayerError {
  if (value instanceof StreamLayerError) return true;
  return typeof value === "object" && value !== null && BRAND in value;
}
