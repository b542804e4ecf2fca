import { StreamLayerError } from "../errors.ts";

/**
 * The registry stored the blob under a digest other than the one the layer
 * computed, or the bytes read do not match a known digest.
 *
 * @example What a mismatch carries
 * ```ts
 * import assert from "node:assert/strict";
 * import { DigestMismatchError } from "streamlayer";
 *
 * const error = new DigestMismatchError("sha256:aa", "sha256:bb", "PUT http://127.0.0.1:5000/v2/demo/blobs/uploads/1");
 * assert.equal(error.code, "DIGEST_MISMATCH");
 * assert.equal(error.expected, "sha256:aa");
 * assert.equal(error.actual, "sha256:bb");
 * ```
 */
export class DigestMismatchError extends StreamLayerError {
  /** Always `"DigestMismatchError"`. */
  override readonly name = "DigestMismatchError";
  /** The digest that was wanted: computed, or pinned. */
  readonly expected: string;
  /** The digest that was found instead. */
  readonly actual: string;

  /** Makes the error; `where` names the request or file, for the message. */
  constructor(expected: string, actual: string, where: string) {
    super("DIGEST_MISMATCH", `Digest mismatch: ${where}: expected ${expected}, got ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}
