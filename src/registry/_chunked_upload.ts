import type { Layer } from "../layer/layer.ts";
import { ChunkReader } from "./_chunk_reader.ts";
import { chunkSizeWithin } from "./chunk_size.ts";
import { discardBody } from "./_bounded_body.ts";
import { RegistryError, TimeoutError, UploadNotResumableError } from "./errors.ts";
import { sourceBytesRead } from "../layer/_partial.ts";
import type { ProgressReporter } from "./progress.ts";
import { responseError } from "./_response_errors.ts";
import { MAX_CHUNK_ATTEMPTS, RetryWaits, sleep } from "./_retry.ts";
import { parseRange, patchTook, type UploadSession } from "./upload_session.ts";

/** What a chunked upload needs besides the session and the layer. */
export interface ChunkedUploadInit {
  readonly chunkSize: number;
  readonly progress: ProgressReporter;
  readonly signal?: AbortSignal;
}

/**
 * Sends a layer's compressed stream as PATCHes of `chunkSize` bytes (raised to
 * the registry's `OCI-Chunk-Min-Length`, lowered to its `OCI-Chunk-Max-Length`),
 * one chunk in memory at a time, so
 * that a chunk the registry refused can be sent again without the source.
 *
 * @returns The number of bytes uploaded. The caller finishes the session.
 * @throws {UploadNotResumableError} when the registry dropped the session or lost bytes.
 * @throws {RegistryError} when the registry refuses a chunk for good, or keeps failing.
 */
export async function chunkedUpload(session: UploadSession, layer: Layer, init: ChunkedUploadInit): Promise<number> {
  const size = chunkSizeWithin(init.chunkSize, { min: session.minChunkLength, max: session.maxChunkLength });
  const reader = new ChunkReader(layer.compressed(), size);
  // A source can go quiet for good; cancelling the reader ends the wait for it.
  const stop = () => void reader.cancel(init.signal?.reason);
  init.signal?.addEventListener("abort", stop, { once: true });
  let offset = 0;
  try {
    for (;;) {
      const chunk = await reader.next();
      init.signal?.throwIfAborted();
      init.progress.update({ read: sourceBytesRead(layer), compressed: reader.bytesRead });
      if (chunk === undefined) return offset;
      await sendChunk(session, chunk, offset, init.signal);
      offset += chunk.byteLength;
      init.progress.update({ acknowledged: offset });
    }
  } catch (error) {
    await reader.cancel(error);
    throw error;
  } finally {
    init.signal?.removeEventListener("abort", stop);
  }
}

/**
 * Sends one chunk until the registry holds all of it, like go-containerregistry's
 * retrying transport. A definite refusal (5xx, 429: the registry says it did
 * not take the chunk) sends the same chunk again at the same offset. Only an
 * ambiguous failure (no response) or a 416 puts the registry's state in doubt:
 * then the session is asked where it stands (on the newest URL) and gets what
 * it lacks. Gives up after {@link MAX_CHUNK_ATTEMPTS} attempts, or when the
 * registry asks for longer waits than {@link RetryWaits} allows.
 */
async function sendChunk(session: UploadSession, chunk: Uint8Array, offset: number, signal: AbortSignal | undefined): Promise<void> {
  const end = offset + chunk.byteLength;
  const waits = new RetryWaits();
  let start = offset;
  let refusedAtZero = false;
  for (let attempt = 1; ; attempt++) {
    let failure: RegistryError;
    let retryAfter: string | null = null;
    let inDoubt = false;
    try {
      const response = await session.patch(chunk.subarray(start - offset), start);
      if (patchTook(response.status)) {
        await discardBody(response);
        const range = parseRange(response.headers.get("range"));
        // A 2xx took the bytes; only a registry that says it holds fewer needs more.
        if (range === undefined || range.ambiguous || range.size >= end) return;
        if (range.size < offset || attempt >= MAX_CHUNK_ATTEMPTS) {
          throw new UploadNotResumableError(`the registry holds ${range.size} bytes after bytes up to ${end} were sent`);
        }
        start = range.size;
        continue;
      }
      retryAfter = response.headers.get("retry-after");
      failure = await responseError("PATCH", session.location.href, response);
      // go-containerregistry's registry answers a wrong offset with 416 BLOB_UPLOAD_UNKNOWN: a 416 first.
      if (response.status === 416) {
        refusedAtZero ||= start === 0;
        inDoubt = true;
      } else if (response.status === 404 || failure.codes.includes("BLOB_UPLOAD_UNKNOWN")) {
        throw new UploadNotResumableError("the registry dropped the upload session", { cause: failure });
      } else if (!failure.temporary) {
        throw failure;
      }
    } catch (error) {
      if (!(error instanceof RegistryError) || error.status !== undefined || error instanceof TimeoutError || signal?.aborted) throw error;
      failure = error; // no response: the registry may hold none, some or all of the bytes
      inDoubt = true;
    }
    const wait = attempt < MAX_CHUNK_ATTEMPTS ? waits.next(attempt - 1, retryAfter) : undefined;
    if (wait === undefined) throw failure;
    await sleep(wait, signal);
    if (!inDoubt) continue;
    const held = await heldAfter(session, failure, refusedAtZero, signal);
    if (held === "unknown") {
      // Without a status endpoint a 416 cannot be resolved; after no response, the
      // same bytes go again at the same offset, and a 416 then tells the truth.
      if (failure.status === 416) {
        throw new UploadNotResumableError("the registry refused the chunk's offset and has no upload-status endpoint to say what it holds", { cause: failure });
      }
      continue;
    }
    if (held === undefined) continue;
    if (held >= end) return;
    if (held < offset) {
      throw new UploadNotResumableError(`the registry holds ${held} bytes, fewer than the ${offset} it confirmed`, { cause: failure });
    }
    start = held;
  }
}

/**
 * How many bytes the registry holds after a failure; `"unknown"` when the
 * registry has no status endpoint; undefined when asking failed too, for a
 * reason that may pass: the next attempt then sends from where it stood, and
 * a 416 or a 404 tells the rest.
 */
async function heldAfter(session: UploadSession, failure: RegistryError, refusedAtZero: boolean, signal: AbortSignal | undefined): Promise<number | "unknown" | undefined> {
  try {
    const status = await session.status(failure);
    if (status === undefined) return "unknown";
    // `0-0` reads as 0 or 1 byte; a PATCH from 0 refused as out of range means 1.
    return status.ambiguous && refusedAtZero ? 1 : status.size;
  } catch (error) {
    if (error instanceof RegistryError && error.temporary && !(error instanceof TimeoutError) && !signal?.aborted) return undefined;
    throw error;
  }
}
