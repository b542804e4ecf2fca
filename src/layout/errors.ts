import { StreamLayerError } from "../errors.ts";

/**
 * A directory's `index.json` is not an OCI image index: not JSON, or no
 * `manifests` array. Nothing is written to the layout then, so that a file
 * streamlayer does not understand is never replaced.
 *
 * @example Telling a broken layout apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidLayoutError } from "streamlayer/layout";
 *
 * const error = new InvalidLayoutError("/tmp/out/index.json", "not JSON");
 * assert.equal(error.name, "InvalidLayoutError");
 * assert.equal(error.code, "INVALID_LAYOUT");
 * assert.equal(error.path, "/tmp/out/index.json");
 * ```
 */
export class InvalidLayoutError extends StreamLayerError {
  override readonly name = "InvalidLayoutError";
  /** The file that is not what a layout holds. */
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super("INVALID_LAYOUT", `Invalid OCI layout: ${path}: ${problem}`, options);
    this.path = path;
  }
}
