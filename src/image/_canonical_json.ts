import { createSha256, sha256Digest } from "../hash/sha256.ts";

/** Bytes of a JSON document and their digest, hashed once. */
export interface HashedJson {
  readonly bytes: Uint8Array;
  readonly digest: string;
}

/**
 * Serializes `value` once and hashes exactly those bytes, so that what is
 * written is what was named.
 */
export async function hashJson(value: unknown): Promise<HashedJson> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return { bytes, digest: await hashBytes(bytes) };
}

/** `sha256:<hex>` of `bytes`. */
export async function hashBytes(bytes: Uint8Array): Promise<string> {
  const sha256 = await createSha256();
  sha256.update(bytes);
  return sha256Digest(await sha256.digest());
}
