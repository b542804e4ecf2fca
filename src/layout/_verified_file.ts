import { createHash } from "node:crypto";
import { open, readFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Descriptor } from "../oci/descriptor.ts";
import { isDigest } from "../oci/digest.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { SizeMismatchError } from "../registry/errors.ts";
import { InvalidLayoutError } from "./errors.ts";

const CHUNK = 64 * 1024;

/** Where a blob of any verifiable digest lives in a layout: `blobs/<algorithm>/<hex>`. */
export function layoutBlobPath(directory: string, digest: string): string {
  if (!isDigest(digest)) throw new InvalidLayoutError(join(directory, "index.json"), `a descriptor names the digest ${JSON.stringify(digest)}, which is not sha256 or sha512`);
  const [algorithm, hex] = digest.split(":") as [string, string];
  return join(directory, "blobs", algorithm, hex);
}

/**
 * A blob of the layout as a stream, checked against its descriptor while it
 * is read: a file longer than the size fails at the first chunk past it, a
 * shorter one or other bytes fail at the end, before the stream would close,
 * so no reader ever sees a clean end of wrong bytes. One chunk at a time, as
 * fast as it is read.
 */
export function verifiedBlobStream(directory: string, descriptor: Descriptor): ReadableStream<Uint8Array> {
  const path = layoutBlobPath(directory, descriptor.digest);
  const [algorithm] = descriptor.digest.split(":") as [string];
  const hash = createHash(algorithm);
  let file: FileHandle | undefined;
  let read = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const opened = file ?? (file = await openBlob(path));
        const chunk = new Uint8Array(CHUNK);
        const { bytesRead } = await opened.read(chunk, 0, CHUNK, null);
        if (bytesRead === 0) {
          await opened.close();
          check(descriptor, read, `${algorithm}:${hash.digest("hex")}`, path);
          controller.close();
          return;
        }
        read += bytesRead;
        if (read > descriptor.size) {
          await opened.close();
          throw new SizeMismatchError(descriptor.digest, descriptor.size, descriptor.size + 1, path);
        }
        hash.update(chunk.subarray(0, bytesRead));
        controller.enqueue(chunk.subarray(0, bytesRead));
      },
      async cancel() {
        await file?.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A small blob (a manifest, a config, an index), read whole and checked against its descriptor. */
export async function readVerifiedBlob(directory: string, descriptor: Descriptor, limit = 4 * 1024 * 1024): Promise<Uint8Array> {
  const path = layoutBlobPath(directory, descriptor.digest);
  if (!(Number.isSafeInteger(descriptor.size) && descriptor.size >= 0 && descriptor.size <= limit)) {
    throw new InvalidLayoutError(path, `a descriptor gives it ${String(descriptor.size)} bytes: at most ${limit} are read for a manifest or config`);
  }
  const bytes = new Uint8Array(await readFile(path).catch((error: unknown) => Promise.reject(missing(path, error))));
  const [algorithm] = descriptor.digest.split(":") as [string];
  check(descriptor, bytes.length, `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`, path);
  return bytes;
}

function check(descriptor: Descriptor, size: number, digest: string, path: string): void {
  if (size !== descriptor.size) throw new SizeMismatchError(descriptor.digest, descriptor.size, size, path);
  if (digest !== descriptor.digest) throw new DigestMismatchError(descriptor.digest, digest, path);
}

async function openBlob(path: string): Promise<FileHandle> {
  try {
    return await open(path);
  } catch (error) {
    throw missing(path, error);
  }
}

function missing(path: string, error: unknown): unknown {
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? new InvalidLayoutError(path, "the blob is missing", { cause: error }) : error;
}
