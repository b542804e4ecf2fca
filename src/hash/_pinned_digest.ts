import { digestOf } from "./_sha256.ts";
import { sha512Hex } from "./_sha512.ts";
import { isDigest } from "../oci/digest.ts";

/**
 * Whether `digest` is one that can be verified: `sha256:` and 64, or
 * `sha512:` and 128, lowercase hex digits. Any other is taken on trust by
 * no one: a pin that cannot be checked is no pin.
 */
export function isVerifiableDigest(digest: unknown): digest is string {
  return isDigest(digest);
}

/**
 * The digest of `bytes` in the algorithm of `pinned`, to compare with it.
 *
 * @throws {TypeError} when `pinned` is not a {@link isVerifiableDigest verifiable digest}.
 */
export async function digestLike(pinned: string, bytes: Uint8Array): Promise<string> {
  if (!isVerifiableDigest(pinned)) throw new TypeError(`Cannot verify the digest "${pinned}": only sha256 and sha512 are checked`);
  return pinned.startsWith("sha512:") ? `sha512:${await sha512Hex(bytes)}` : digestOf(bytes);
}
