/**
 * A content digest as OCI spells it: `sha256:` and 64, or `sha512:` and 128,
 * lowercase hex digits. These are the algorithms streamlayer can verify: a
 * digest it cannot check is no pin.
 */
export type Digest = `sha256:${string}` | `sha512:${string}`;

/** The digest algorithms, and the number of hex digits of each. */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/** The one digest pattern: {@link Digest}'s two algorithms, each with its own length. */
export const DIGEST_PATTERN = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** The one tag pattern: 1 to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;

/** Whether `value` is a {@link Digest} that can be verified. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === "string" && DIGEST_PATTERN.test(value);
}

/** Whether `value` is a SHA-256 digest, the only algorithm a layer's digest and DiffID are computed with. */
export function isSha256Digest(value: unknown): value is `sha256:${string}` {
  return isDigest(value) && value.startsWith("sha256:");
}
