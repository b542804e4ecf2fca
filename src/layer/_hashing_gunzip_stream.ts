import { createSha256, sha256Digest, type Sha256 } from "../hash/_sha256.ts";
import { InvalidLayerSourceError, NotComputedError } from "./errors.ts";
import type { LayerValues } from "./layer.ts";
import { gunzipStream } from "./_gunzip_stream.ts";
import { tarCheckedReader } from "./_tar_checked_reader.ts";

/** Whom to tell when the values are known or will never be, and whether the gzip must hold a tar. */
export interface HashingGunzipSettings {
  readonly requireTar: boolean;
  /** The compression the source must be in. @default "gzip" */
  readonly compression?: "gzip" | "zstd";
  /** Told of each chunk read from the source, with its length. */
  readonly onRead: (bytes: number) => void;
  readonly onComputed: (values: LayerValues) => void;
  readonly onFailed: (error: unknown) => void;
}

/**
 * The pipeline of an already-compressed layer, in one pass:
 *
 *   source ─▶ Digest hash + size ─▶ the returned stream, as it is
 *                    └─▶ gunzip ─▶ DiffID hash (the bytes are then dropped)
 *
 * In lockstep: a chunk is handed on only once the decompressor has taken it,
 * and the decompressor's output is hashed as it comes, so nothing piles up
 * whatever the ratio. The returned stream has a high-water mark of 0. A cancel
 * or a failure anywhere is reported and tears down every stage.
 */
export function hashingGunzipStream(source: ReadableStreamDefaultReader<Uint8Array>, settings: HashingGunzipSettings): ReadableStream<Uint8Array> {
  const format = settings.compression ?? "gzip";
  let digestHash: Sha256;
  let gunzip: WritableStreamDefaultWriter<Uint8Array>;
  let diffIDHex: Promise<string>;
  let size = 0;
  let cancelled = false;

  const fail = async (error: unknown): Promise<never> => {
    await Promise.allSettled([source.cancel(error), gunzip?.abort(error)]);
    settings.onFailed(error);
    throw error;
  };

  // A write or close the decompressor refused: its own failure, as the drain
  // saw it (a corrupt gzip, no tar inside), says more than the refusal.
  const decompressorFailure = (error: unknown): Promise<unknown> => diffIDHex.then(() => error, (drained: unknown) => drained);

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
          next = await source.read();
        } catch (error) {
          return fail(error); // the source's own error, as it is
        }
        try {
          if (next.done) {
            if (size === 0) throw notCompressed(new Uint8Array(0), format);
            await gunzip.close().catch((error: unknown) => decompressorFailure(error).then((reason) => Promise.reject(reason)));
            const [diffID, digest] = await Promise.all([diffIDHex, digestHash.digest()]);
            settings.onComputed({ digest: sha256Digest(digest), diffID: sha256Digest(diffID), size });
            controller.close();
            return;
          }
          const bytes = asBytes(next.value);
          if (bytes.byteLength === 0) return;
          if (size === 0 && !startsAs(bytes, format)) throw notCompressed(bytes, format);
          settings.onRead(bytes.byteLength);
          digestHash.update(bytes);
          size += bytes.byteLength;
          await gunzip.write(bytes).catch((error: unknown) => decompressorFailure(error).then((reason) => Promise.reject(reason)));
          controller.enqueue(bytes);
        } catch (error) {
          return fail(error);
        }
      },
      async cancel(reason) {
        cancelled = true;
        await Promise.allSettled([source.cancel(reason), gunzip?.abort(reason), diffIDHex]);
        settings.onFailed(new NotComputedError("Value not computed: the compressed stream was cancelled before its end", { cause: reason }));
      },
    },
    { highWaterMark: 0 },
  );

  async function prepare(): Promise<void> {
    try {
      const [decompressor, compressedHash, uncompressedHash] = await Promise.all([format === "zstd" ? zstdDecompressor() : gunzipStream(), createSha256(), createSha256()]);
      if (cancelled) return;
      digestHash = compressedHash;
      gunzip = decompressor.writable.getWriter();
      const output = decompressor.readable.getReader();
      diffIDHex = drain(settings.requireTar ? tarCheckedReader(output, "decompressed layer") : output, uncompressedHash, format);
      diffIDHex.catch(() => {}); // seen through the writes it breaks, or at the end
    } catch (error) {
      await source.cancel(error).catch(() => {});
      settings.onFailed(error);
      throw error;
    }
  }
}

/** zstd's decoder, loaded only for a zstd layer. */
async function zstdDecompressor(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  const { zstdDecompressStream } = await import("../compress/zstd/_zstd_decompress_stream.ts");
  return zstdDecompressStream();
}

/** Hashes the decompressor's output as it comes; corrupt data shows here as an InvalidLayerSourceError. */
async function drain(output: ReadableStreamDefaultReader<Uint8Array>, hash: Sha256, format: "gzip" | "zstd"): Promise<string> {
  try {
    for (let next = await output.read(); !next.done; next = await output.read()) hash.update(next.value);
  } catch (error) {
    if (error instanceof InvalidLayerSourceError && (error.found === "corrupt-gzip" || error.found === "trailing-bytes")) {
      throw new InvalidLayerSourceError(error.found, `Invalid layer source: ${error.message}`, { cause: error }); // the gunzip's own words
    }
    if (error instanceof InvalidLayerSourceError) throw error; // no tar inside
    const reason = format === "zstd" ? "corrupt-zstd" : "corrupt-gzip";
    throw new InvalidLayerSourceError(reason, `Invalid layer source: the ${format} data cannot be decompressed: ${describe(error)}`, { cause: error });
  }
  return hash.digest();
}

const MAGIC = { gzip: [0x1f, 0x8b], zstd: [0x28, 0xb5, 0x2f, 0xfd] } as const;

/** Whether the first bytes are those of `format` (as far as they go). */
function startsAs(head: Uint8Array, format: "gzip" | "zstd"): boolean {
  return MAGIC[format].every((byte, index) => index >= head.length || head[index] === byte);
}

function notCompressed(head: Uint8Array, format: "gzip" | "zstd"): InvalidLayerSourceError {
  const start = [...head.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  const other = format === "gzip" ? "zstd" : "gzip";
  const found = head.length === 0 ? "no bytes at all" : startsAs(head.subarray(0, 4), other) ? `${other} data (starts with ${start})` : `bytes that are not ${format} (starting ${start})`;
  const expected = format === "gzip" ? "gzip (starting 1f 8b)" : "zstd (starting 28 b5 2f fd)";
  const hint = startsAs(head.subarray(0, 4), other) ? `: for ${other}, give compression "${other}"` : ": for an uncompressed tar, use StreamLayer";
  return new InvalidLayerSourceError(format === "gzip" ? "not-gzip" : "not-zstd", `Invalid layer source: found ${found}, expected ${expected}${hint}`);
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`Cannot read the layer's source: expected chunks of bytes (Uint8Array), got ${chunk === null ? "null" : typeof chunk}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
