import { digestOf } from "../hash/_sha256.ts";

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
  return { bytes, digest: await digestOf(bytes) };
}
