import { InvalidLayerSourceError, type LayerSourceProblem } from "../layer/errors.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { digestHasherFor } from "./_digest_hasher.ts";
import type { DecompressorFactory, LayerCompression } from "./_decompressors.ts";

/** What {@link decodedLayer} decodes and checks. */
export interface DecodedLayerInit {
  /** The blob, already checked against its own digest and size as it streams. */
  readonly compressed: ReadableStream<Uint8Array>;
  readonly decompressor: DecompressorFactory;
  /** What the decompressor reads, to name what a failure found. @default "gzip" */
  readonly compression?: LayerCompression;
  /** The DiffID the config gives: the digest of the uncompressed tar. */
  readonly diffID: string;
  /** The blob, for error messages. */
  readonly where: string;
}

/**
 * The uncompressed tar of a layer, decompressed as it is read and checked
 * against the DiffID as it streams: the stream errors with
 * {@link DigestMismatchError} where it would have closed on other bytes.
 *
 * In lockstep: a chunk of the blob is read only when the decompressor wants
 * more, so memory stays flat whatever the ratio. When the decompressor fails
 * (a flipped byte breaks gzip long before the end), the rest of the blob is
 * read and dropped so that its own check speaks: a blob that is not the one
 * its digest names fails as such, and only a blob that is the right one but
 * cannot be decompressed fails with {@link InvalidLayerSourceError}.
 */
export function decodedLayer(init: DecodedLayerInit): ReadableStream<Uint8Array> {
  const blob = init.compressed.getReader();
  let output: ReadableStreamDefaultReader<Uint8Array>;
  let writer: WritableStreamDefaultWriter<Uint8Array>;
  let fed: Promise<void>;
  let hasher: Awaited<ReturnType<typeof digestHasherFor>>;
  let decodeFailure: unknown;

  // Feeds the decompressor at its pace; after it failed, reads the blob to its end for the blob's own check.
  const feed = async (): Promise<void> => {
    for (;;) {
      const { done, value } = await blob.read();
      if (done) break;
      if (decodeFailure === undefined) await writer.write(value).catch((error: unknown) => void (decodeFailure ??= error));
    }
    if (decodeFailure === undefined) await writer.close().catch((error: unknown) => void (decodeFailure ??= error));
  };

  const prepare = async (): Promise<void> => {
    const [decompressor, diffHasher] = await Promise.all([init.decompressor(), digestHasherFor(init.diffID)]);
    hasher = diffHasher;
    writer = decompressor.writable.getWriter();
    output = decompressor.readable.getReader();
    fed = feed();
    // The blob's own failure (a digest, a size, a cut body) ends the decompressor with it.
    fed.catch((error: unknown) => writer.abort(error).catch(() => {}));
  };

  let started: Promise<void> = Promise.resolve();
  return new ReadableStream<Uint8Array>(
    {
      start() {
        started = prepare();
        return started;
      },
      async pull(controller) {
        await started; // workerd may call pull before start settles
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await output.read();
        } catch (error) {
          decodeFailure ??= error;
          await fed; // the blob's failure, when there is one, says more than the decompressor's
          throw new InvalidLayerSourceError(problemOf(decodeFailure, init.compression), `Cannot decompress ${init.where}: its bytes match its digest but do not decompress: ${describe(decodeFailure)}`, { cause: decodeFailure });
        }
        if (!next.done) {
          hasher.update(next.value);
          controller.enqueue(next.value);
          return;
        }
        await fed;
        if (decodeFailure !== undefined) throw new InvalidLayerSourceError(problemOf(decodeFailure, init.compression), `Cannot decompress ${init.where}: ${describe(decodeFailure)}`, { cause: decodeFailure });
        const actual = await hasher.digest();
        if (actual !== init.diffID) throw new DigestMismatchError(init.diffID, actual, `DiffID of ${init.where}`);
        controller.close();
      },
      async cancel(reason) {
        await Promise.allSettled([blob.cancel(reason), writer?.abort(reason), output?.cancel(reason)]);
      },
    },
    { highWaterMark: 0 },
  );
}

/** What a decompressor's failure found: its own word when it has one (trailing bytes after a gzip), else corrupt data. */
function problemOf(failure: unknown, compression: LayerCompression = "gzip"): LayerSourceProblem {
  if (failure instanceof InvalidLayerSourceError) return failure.found;
  return compression === "zstd" ? "corrupt-zstd" : "corrupt-gzip";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
