import { compressorFor } from "../compress/_create_compressor.ts";
import type { CompressionLevel, Compressor, CompressorOption } from "../compress/compressor.ts";
import { createLayerSha256, sha256Digest, type Sha256 } from "../hash/_sha256.ts";
import { NotComputedError } from "./errors.ts";
import type { LayerValues } from "./layer.ts";

/** How to compress, and whom to tell when the values are known or will never be. */
export interface HashingGzipSettings {
  readonly compressor: CompressorOption;
  readonly level: CompressionLevel | undefined;
  /** Make the gzip bytes depend on the input bytes and level alone (see `deterministicGzipStream`). */
  readonly deterministic?: boolean;
  /** `parallel-zlib` only: the blocks compressing at once (see `createCompressor`). */
  readonly blocksInFlight?: number;
  /** Told of each chunk read from the source, with its length. */
  readonly onRead: (bytes: number) => void;
  readonly onComputed: (values: LayerValues) => void;
  readonly onFailed: (error: unknown) => void;
}

/**
 * The pipeline of a streaming layer, in one pass:
 *
 *   source ─▶ DiffID hash ─▶ gzip ─▶ Digest hash + size ─▶ the returned stream
 *
 * Nothing is read ahead: the returned stream has a high-water mark of 0, and
 * the source is read only as the compressor takes what it was given. The
 * values are reported just before the returned stream closes; a cancel or a
 * failure anywhere is reported instead, and tears down every stage, the
 * source included.
 */
export function hashingGzipStream(
  source: ReadableStreamDefaultReader<Uint8Array>,
  settings: HashingGzipSettings,
): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  let diffIDHex: Promise<string> = Promise.resolve("");
  let compressed: ReadableStreamDefaultReader<Uint8Array>;
  let diffIDHash: Sha256 | undefined;
  let digestHash: Sha256;
  let size = 0;

  // Hashes may run on a worker: stopped with the pipeline, whatever stops it.
  const closeHashes = () => {
    diffIDHash?.close?.();
    digestHash?.close?.();
  };
  const fail = (error: unknown) => {
    closeHashes();
    settings.onFailed(error);
    throw error;
  };

  let started: Promise<void> = Promise.resolve();
  return new ReadableStream<Uint8Array>(
    {
      start() {
        started = prepare();
        return started;
      },
      async pull(controller) {
        // workerd calls pull before the promise of start settles (measured with
        // workerd 1.20260426); the Streams standard says it must wait for it.
        await started;
        try {
          const room = digestHash.whenReady?.();
          if (room) await room;
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
        stop.abort(reason);
        closeHashes();
        await Promise.allSettled([compressed?.cancel(reason), source.cancel(reason), diffIDHex]);
        settings.onFailed(new NotComputedError("Value not computed: the compressed stream was cancelled before its end", { cause: reason }));
      },
    },
    { highWaterMark: 0 },
  );

  async function prepare(): Promise<void> {
    try {
      const [compressor, uncompressedHash, compressedHash] = await Promise.all([
        chosenCompressor(settings),
        createLayerSha256(),
        createLayerSha256(),
      ]);
      diffIDHash = uncompressedHash;
      digestHash = compressedHash;
      if (stop.signal.aborted) {
        closeHashes();
        // Cancelled while we were getting ready: the compressor may hold a
        // native stream or workers already, which must not be left behind.
        await Promise.allSettled([compressor.readable.cancel(stop.signal.reason), compressor.writable.abort(stop.signal.reason)]);
        return;
      }
      compressed = compressor.readable.getReader();
      diffIDHex = feedCompressor(source, compressor.writable, uncompressedHash, stop.signal, settings.onRead);
      diffIDHex.catch(() => {}); // its failure reaches us through the compressor's readable
    } catch (error) {
      await source.cancel(error).catch(() => {});
      fail(error);
    }
  }

  async function finish(): Promise<LayerValues> {
    const [diffID, digest] = await Promise.all([diffIDHex, digestHash.digest()]);
    return { digest: sha256Digest(digest), diffID: sha256Digest(diffID), size };
  }
}

async function chosenCompressor(settings: HashingGzipSettings): Promise<Compressor> {
  if (settings.deterministic) {
    // Loaded on demand: the block gzip it runs on is for deterministic layers and Node's parallel-zlib only.
    const { deterministicGzipStream } = await import("../compress/_deterministic_gzip_stream.ts");
    return deterministicGzipStream(settings.level);
  }
  const options = settings.blocksInFlight === undefined ? {} : { blocksInFlight: settings.blocksInFlight };
  return compressorFor(settings.compressor, settings.level, options);
}

/**
 * Feeds the source into the compressor, hashing each chunk on its way, and
 * resolves with the hash of all of it once the compressor has taken the end.
 *
 * Each chunk is handed to the compressor before it is hashed: a native
 * compressor (zlib) then works on its own thread while this one hashes. At
 * most two chunks are in the compressor's hands (one being compressed, one
 * waiting), and the next is read only when the older of them has been taken,
 * which the compressor does only when its reader has room: backpressure from
 * the consumer reaches the source.
 */
async function feedCompressor(
  source: ReadableStreamDefaultReader<Uint8Array>,
  compressor: WritableStream<Uint8Array>,
  hash: Sha256,
  stop: AbortSignal,
  onRead: (bytes: number) => void,
): Promise<string> {
  const writer = compressor.getWriter();
  try {
    let previous: Promise<void> = Promise.resolve();
    for (;;) {
      const { done, value } = await source.read();
      if (stop.aborted) throw stop.reason;
      if (done) break;
      const bytes = asBytes(value);
      if (bytes.byteLength === 0) continue;
      onRead(bytes.byteLength);
      const written = writer.write(bytes);
      written.catch(() => {}); // awaited below, unless a cancel comes first
      hash.update(bytes);
      const room = hash.whenReady?.(); // a hash on a worker holds a bounded number of pieces
      if (room) await room;
      await previous;
      previous = written;
    }
    await previous;
    const hex = hash.digest();
    await writer.close();
    return await hex;
  } catch (error) {
    // Errors the compressor's readable side with this error, which is how the
    // consumer learns of it; the source is told too, unless it is the culprit.
    hash.close?.();
    await writer.abort(error).catch(() => {});
    await source.cancel(error).catch(() => {});
    throw error;
  }
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
