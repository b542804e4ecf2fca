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
  /** Always `"InvalidLayoutError"`. */
  override readonly name = "InvalidLayoutError";
  /** The file that is not what a layout holds. */
  readonly path: string;

  /** Makes the error from the file's path and what is wrong with it. */
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super("INVALID_LAYOUT", `Invalid OCI layout: ${path}: ${problem}`, options);
    this.path = path;
  }
}

/**
 * A layout's `index.json` names no image under the tag asked for, or holds
 * several images and no tag was given to choose one.
 *
 * @example What the error lists
 * ```ts
 * import assert from "node:assert/strict";
 * import { LayoutImageNotFoundError } from "streamlayer/layout";
 *
 * const error = new LayoutImageNotFoundError("/tmp/out", "v2", ["v1", "latest"]);
 * assert.equal(error.code, "LAYOUT_IMAGE_NOT_FOUND");
 * assert.deepEqual(error.tags, ["v1", "latest"]);
 * ```
 */
export class LayoutImageNotFoundError extends StreamLayerError {
  /** Always `"LayoutImageNotFoundError"`. */
  override readonly name = "LayoutImageNotFoundError";
  /** The tags the layout has. */
  readonly tags: readonly string[];

  /** Makes the error from the layout, the tag asked for, and the tags it has. */
  constructor(directory: string, tag: string | undefined, tags: readonly string[]) {
    const has = tags.length ? `it has ${tags.join(", ")}` : "it has no tagged image";
    super("LAYOUT_IMAGE_NOT_FOUND", tag === undefined ? `No tag given and ${directory} holds several images: ${has}` : `No image tagged ${tag} in ${directory}: ${has}`);
    this.tags = tags;
  }
}
