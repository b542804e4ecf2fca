import type { Descriptor, Platform } from "../oci/descriptor.ts";

/** `linux/arm64/v8`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

/**
 * The index entry for `wanted`: same OS and architecture, and the same
 * variant when one is asked for (else the first of any variant).
 */
export function choosePlatform(manifests: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  return manifests.find(({ platform }) =>
    platform !== undefined &&
    platform.os === wanted.os &&
    platform.architecture === wanted.architecture &&
    (wanted.variant === undefined || platform.variant === wanted.variant),
  );
}
