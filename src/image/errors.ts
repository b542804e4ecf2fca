import { StreamLayerError } from "../errors.ts";

/** An image index lists no manifest for the platform asked for. */
export class NoMatchingPlatformError extends StreamLayerError {
  /** Always `"NoMatchingPlatformError"`. */
  override readonly name = "NoMatchingPlatformError";
  /** Makes the error from the index's reference, the platform asked for, and the platforms it has. */
  constructor(reference: string, wanted: string, available: readonly string[]) {
    super("NO_MATCHING_PLATFORM", `No image for ${wanted} in ${reference}: it has ${available.length ? available.join(", ") : "no platforms"}`);
  }
}

/** A manifest or config that streamlayer cannot build on (schema 1, an artifact, broken JSON). */
export class UnsupportedImageError extends StreamLayerError {
  /** Always `"UnsupportedImageError"`. */
  override readonly name = "UnsupportedImageError";
  /** Makes the error from the image's reference and what is wrong with it. */
  constructor(reference: string, problem: string, options?: ErrorOptions) {
    super("UNSUPPORTED_IMAGE", `Unsupported image ${reference}: ${problem}`, options);
  }
}
