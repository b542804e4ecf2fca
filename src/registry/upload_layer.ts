import type { Layer } from "../layer/layer.ts";
import { knownDescriptor, sourceBytesRead } from "../layer/_partial.ts";
import { chunkedUpload } from "./_chunked_upload.ts";
import { chunkSizeFor } from "./chunk_size.ts";
import type { RegistryClient } from "./client.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { ProgressReporter, type UploadProgress } from "./progress.ts";
import { streamedUpload } from "./_streamed_upload.ts";

/** How a layer's bytes travel: PATCHes of one chunk each, or one streamed PATCH. */
export type UploadMode = "chunked" | "stream";

/** Options for {@link uploadLayer}. */
export interface UploadLayerOptions {
  /**
   * Called with the upload's progress, at most every 100 ms and once at the end.
   *
   * @default undefined
   */
  onProgress?: (progress: UploadProgress) => void;
  /**
   * `chunked` sends PATCHes of `chunkSize` bytes and can retry a failed chunk;
   * it works in every runtime. `stream` sends one PATCH with the stream as its
   * body: nothing held in memory, but it cannot be retried, and it needs a
   * runtime that streams request bodies (Node, Deno, Workers, Chromium over HTTP/2).
   *
   * @default "chunked"
   */
  upload?: UploadMode;
  /**
   * Bytes per PATCH in chunked mode; raised to the registry's `OCI-Chunk-Min-Length`
   * and lowered to its `OCI-Chunk-Max-Length` where it states them.
   *
   * @default 4 MiB on ghcr.io, else 8 MiB
   */
  chunkSize?: number;
}

/**
 * Uploads a layer's blob through a {@link RegistryClient}. A layer whose
 * descriptor is known up front (`knownDescriptor()`, or `computed()` values)
 * is looked for first (HEAD) and not uploaded again. The layer's values are
 * asked only once its compressed stream has been read to its end. On
 * failure or abort the source is cancelled and the upload session deleted.
 *
 * @returns The blob's descriptor.
 * @throws {UploadNotResumableError} when the registry dropped the session after a failure.
 * @throws {RegistryError} when the registry refuses; {@link AuthError} on 401/403.
 * @throws {DigestMismatchError} when the registry stored another digest.
 * @throws the signal's reason when aborted; the source's error when it fails.
 */
export async function uploadLayer(client: RegistryClient, layer: Layer, options: UploadLayerOptions = {}): Promise<Descriptor> {
  const mode = options.upload ?? "chunked";
  if (mode !== "chunked" && mode !== "stream") throw new TypeError(`Invalid upload: expected "chunked" or "stream", got ${String(mode)}`);
  const chunkSize = chunkSizeFor(client.reference.registry, options.chunkSize);
  const progress = new ProgressReporter(options.onProgress);
  let started = false;
  try {
    const known = await knownDescriptor(layer);
    if (known !== undefined) {
      progress.update({ total: known.size });
      if (await client.headBlob(known.digest)) {
        progress.finish(known.size);
        return { mediaType: layer.mediaType(), digest: known.digest, size: known.size };
      }
    }
    const session = await client.startUpload();
    started = true;
    try {
      const size = mode === "stream" ? await streamedUpload(session, layer, progress, client.signal) : await chunkedUpload(session, layer, { chunkSize, progress, signal: client.signal });
      const digest = await layer.digest();
      await session.finish(digest);
      progress.finish(size, sourceBytesRead(layer));
      return { mediaType: layer.mediaType(), digest, size };
    } catch (error) {
      await session.cancel();
      throw error;
    }
  } catch (error) {
    progress.stop();
    if (!started) await cancelSource(layer, error);
    throw error;
  }
}

// A failure before the upload began still ends the source, as the caller gave it to us.
async function cancelSource(layer: Layer, reason: unknown): Promise<void> {
  try {
    await layer.compressed().cancel(reason);
  } catch {
    // Consumed already, or re-readable bytes with nothing to end.
  }
}
