import { createCompressor, resolveCompressor } from "../compress/create_compressor.ts";
import type { CompressionLevel, Compressor, CompressorChoice } from "../compress/compressor.ts";
import { deterministicGzipStream } from "../compress/deterministic_gzip_stream.ts";
import { createSha256, sha256Digest, type Sha256 } from "../hash/sha256.ts";
import { NotComputedError } from "./errors.ts";
import type { LayerValues } from "./layer.ts";

/** How to compress, and whom to tell when the values are known or will never be. */
export interface HashingGzipSettings {
  readonly compressor: CompressorChoice;
  readonly level: CompressionLevel | undefined;
  /** Make the gzip bytes depend on the input bytes and level alone (see `deterministicGzipStream`). */
  readonly deterministic?: boolean;
  readonly onComputed: (values: LayerValues) => void;
  readonly onFailed: (error: unknown) => void;
}

/**
 * The pipeline of a streaming layer, in one pass:
 *
 *   source ─▶ DiffID hash ─▶ gzip ─▶ Digest hash + size ─▶ the returned stream
 *
 * Nothing is read ahead: the returned stream and the stage before gzip have a
 * high-water mark of 0, so the source is read only when the consumer reads and
 * the compressor has room. The values are reported just before the returned
 * stream closes; a cancel or a failure anywhere is reported instead, and tears
 * down every stage, the source included.
 */
export function hashingGzipStream(
  source: ReadableStreamDefaultReader<Uint8Array>,
  settings: HashingGzipSettings,
): ReadableStream<Uint8Array> {
  const stopPipe = new AbortController();
  let piping: Promise<void> = Promise.resolve();
  let compressed: ReadableStreamDefaultReader<Uint8Array>;
  let digestHash: Sha256;
  let diffIDHex: Promise<string> | undefined;
  let size = 0;

  const fail = (error: unknown) => {
    settings.onFailed(error);
    throw error;
  };

  return new ReadableStream<Uint8Array>(
    {
      async start() {
        try {
          const [compressor, diffIDHash, compressedHash] = await Promise.all([
            chosenCompressor(settings),
            createSha256(),
            createSha256(),
          ]);
          if (stopPipe.signal.aborted) return; // cancelled while we were getting ready
          digestHash = compressedHash;
          const uncompressed = hashedStream(source, diffIDHash, (hex) => (diffIDHex = hex));
          piping = uncompressed.pipeTo(compressor.writable, { signal: stopPipe.signal });
          piping.catch(() => {}); // its failure reaches us through the compressor's readable
          compressed = compressor.readable.getReader();
        } catch (error) {
          await source.cancel(error).catch(() => {});
          fail(error);
        }
      },
      async pull(controller) {
        try {
          const { done, value } = await compressed.read();
          if (done) {
            settings.onComputed(await finish());
            controller.close();
            return;
          }
          digestHash.update(value);
          size += value.byteLength;
          controller.enqueue(value);
        } catch (error) {
          fail(error);
        }
      },
      async cancel(reason) {
        stopPipe.abort(reason);
        await Promise.allSettled([piping, compressed?.cancel(reason), source.cancel(reason)]);
        settings.onFailed(new NotComputedError("Value not computed: the compressed stream was cancelled before its end", { cause: reason }));
      },
    },
    { highWaterMark: 0 },
  );

  async function finish(): Promise<LayerValues> {
    if (diffIDHex === undefined) throw new Error("Compressor ended before its input did");
    const [diffID, digest] = await Promise.all([diffIDHex, digestHash.digest()]);
    return { digest: sha256Digest(digest), diffID: sha256Digest(diffID), size };
  }
}

async function chosenCompressor(settings: HashingGzipSettings): Promise<Compressor> {
  if (settings.deterministic) return deterministicGzipStream(settings.level);
  return createCompressor(await resolveCompressor(settings.compressor, settings.level), settings.level);
}

/**
 * The source, passed on chunk by chunk as the compressor asks, each chunk
 * added to `hash` on its way. Calls `onEnd` with the finishing hash when the
 * source ends.
 */
function hashedStream(
  source: ReadableStreamDefaultReader<Uint8Array>,
  hash: Sha256,
  onEnd: (hex: Promise<string>) => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const { done, value } = await source.read();
          if (done) {
            const hex = hash.digest();
            hex.catch(() => {}); // awaited in finish(); a failure there is reported from it
            onEnd(hex);
            controller.close();
            return;
          }
          const bytes = asBytes(value);
          if (bytes.byteLength === 0) continue;
          hash.update(bytes);
          controller.enqueue(bytes);
          return;
        }
      },
      cancel(reason) {
        return source.cancel(reason);
      },
    },
    { highWaterMark: 1 },
  );
}

// Views from another realm (a worker, Node's Buffer from another context) fail
// `instanceof Uint8Array`, but are bytes all the same.
function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`Cannot read the layer's source: expected chunks of bytes (Uint8Array), got ${describe(chunk)}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
