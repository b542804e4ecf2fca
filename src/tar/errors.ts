import { StreamLayerError } from "../errors.ts";

/**
 * A name in a layer's tar (an entry's path, a hard link's target, a
 * whiteout's) climbs out of the root with `..`. Nothing is written for it:
 * extracting such an entry would write outside the directory it is unpacked into.
 *
 * @example What the refusal carries
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsafeTarPathError } from "streamlayer";
 *
 * const error = new UnsafeTarPathError("../etc/passwd", 0);
 * assert.equal(error.code, "UNSAFE_TAR_PATH");
 * assert.equal(error.path, "../etc/passwd");
 * assert.equal(error.layer, 0);
 * ```
 */
export class UnsafeTarPathError extends StreamLayerError {
  /** Always `"UnsafeTarPathError"`. */
  override readonly name = "UnsafeTarPathError";
  /** The name as the tar spells it. */
  readonly path: string;
  /** The layer's position in the image, 0 for the bottom one; undefined outside an image. */
  readonly layer: number | undefined;

  /** Makes the error from the entry's name and the layer's position. */
  constructor(path: string, layer?: number) {
    super("UNSAFE_TAR_PATH", `Unsafe path in ${layer === undefined ? "a tar" : `layer ${layer}`}: ${JSON.stringify(path)} climbs out of the root`);
    this.path = path;
    this.layer = layer;
  }
}

/**
 * A layer's uncompressed bytes are not a well-formed tar: a header whose
 * checksum is wrong, an archive cut short, data after its end.
 *
 * @example Telling a broken tar apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidTarError, isStreamLayerError } from "streamlayer";
 *
 * const error = new InvalidTarError("Tar archive is truncated", 2);
 * assert.ok(isStreamLayerError(error) && error.code === "INVALID_TAR");
 * assert.equal(error.layer, 2);
 * ```
 */
export class InvalidTarError extends StreamLayerError {
  /** Always `"InvalidTarError"`. */
  override readonly name = "InvalidTarError";
  /** The layer's position in the image, 0 for the bottom one; undefined outside an image. */
  readonly layer: number | undefined;

  /** Makes the error from what is wrong and the layer's position. */
  constructor(problem: string, layer?: number, options?: ErrorOptions) {
    super("INVALID_TAR", `Invalid tar in ${layer === undefined ? "a layer" : `layer ${layer}`}: ${problem}`, options);
    this.layer = layer;
  }
}
