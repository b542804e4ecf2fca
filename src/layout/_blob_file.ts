import { createHash, randomBytes } from "node:crypto";
import { open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DigestMismatchError } from "../oci/errors.ts";

/** Where a blob lives in a layout: `blobs/sha256/<hex>`. */
export function blobPath(directory: string, digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match?.[1]) throw new TypeError(`Unsupported digest: ${digest}`);
  return join(directory, "blobs", "sha256", match[1]);
}

/** Whether the layout already holds the blob with this size. */
export async function hasBlob(directory: string, digest: string, size: number): Promise<boolean> {
  try {
    return (await stat(blobPath(directory, digest))).size === size;
  } catch {
    return false;
  }
}

/**
 * Streams `source` into a temporary file beside the blobs, hashing it; then
 * asks `expected` for the digest the producer computed (a streaming layer knows
 * it only now), and renames the file only when both agree. An interrupted run
 * leaves at most a `.tmp-` file, never a blob under a wrong name.
 *
 * @returns the digest and size of what was written.
 */
export async function writeBlobFile(
  directory: string,
  source: ReadableStream<Uint8Array>,
  expected: () => Promise<string>,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const temporary = temporaryPath(directory);
  const hash = createHash("sha256");
  let size = 0;
  const file = await open(temporary, "wx");
  const reader = source.getReader();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      size += value.length;
      await file.write(value);
    }
    await file.sync();
    await file.close();
    const actual = `sha256:${hash.digest("hex")}`;
    const wanted = await expected();
    if (actual !== wanted) throw new DigestMismatchError(wanted, actual, `blob written to ${directory}`);
    await rename(temporary, blobPath(directory, actual));
    return { digest: actual, size };
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes bytes that were hashed when they were made (a config, a manifest)
 * under that digest, through a temporary file and a rename, without hashing
 * them a second time.
 */
export async function writeBytesFile(directory: string, bytes: Uint8Array, digest: string): Promise<void> {
  const temporary = temporaryPath(directory);
  try {
    const file = await open(temporary, "wx");
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, blobPath(directory, digest));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function temporaryPath(directory: string): string {
  return join(directory, "blobs", "sha256", `.tmp-${randomBytes(8).toString("hex")}`);
}
