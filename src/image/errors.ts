import { StreamLayerError } from "../errors.ts";

/** An image index lists no manifest for the platform asked for. */
export class NoMatchingPlatformError extends StreamLayerError {
  override readonly name = "NoMatchingPlatformError";
  constructor(reference: string, wanted: string, available: readonly string[]) {
    super("NO_MATCHING_PLATFORM", `No image for ${wanted} in ${reference}: it has ${available.length ? available.join(", ") : "no platforms"}`);
  }
}

/** A manifest or config that streamlayer cannot build on (schema 1, an artifact, broken JSON). */
export class UnsupportedImageError extends StreamLayerError {
  override readonly name = "UnsupportedImageError";
  constructor(reference: string, problem: string, options?: ErrorOptions) {
    super("UNSUPPORTED_IMAGE", `Unsupported image ${reference}: ${problem}`, options);
  }
}
