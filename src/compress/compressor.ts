/**
 * A gzip compressor as a readable/writable pair, the shape of `CompressionStream`
 * and of every `TransformStream`, so that any of them can stand in the pipeline.
 */
export interface Compressor {
  /** Where the uncompressed bytes are written. */
  readonly writable: WritableStream<Uint8Array>;
  /** The one gzip stream made of them. */
  readonly readable: ReadableStream<Uint8Array>;
}

/**
 * The gzip implementations streamlayer can use.
 *
 * - `compression-stream`: the platform's `CompressionStream("gzip")`; no level.
 * - `zlib`: the runtime's native zlib (`node:zlib`, in Node, Deno and Bun); levels 0 to 9.
 * - `fflate`: fflate's streaming `Gzip` in JavaScript, for every runtime; levels 0 to 9.
 * - `parallel-zlib`: the native zlib on several threads at once, in 1 MiB
 *   blocks as pigz does (see `blockGzipStream`); one standard gzip member
 *   whose bytes do not depend on how the input was chunked; levels 0 to 9.
 * - `parallel-pako`: the same block format with pako deflating the blocks in
 *   Web Workers (browsers, Deno); its bytes are those of `deterministic: true`
 *   at the same level; on one thread where no worker can run; levels 0 to 9.
 */
export type CompressorName = "compression-stream" | "zlib" | "fflate" | "parallel-zlib" | "parallel-pako";

/** A compressor name, or `auto` to let streamlayer choose (see `chooseCompressor`). */
export type CompressorChoice = CompressorName | "auto";

/**
 * A compressor of one's own, made for each layer: given the layer's
 * `compressionLevel` (`undefined` when none was set), it returns a fresh
 * {@link Compressor} that writes one gzip stream. Its output is hashed and
 * uploaded as it is.
 */
export type CompressorFactory = (level: CompressionLevel | undefined) => Compressor | Promise<Compressor>;

/** A compressor by name, `auto`, or a {@link CompressorFactory}. */
export type CompressorOption = CompressorChoice | CompressorFactory;

/** The gzip compression levels, as in gzip(1): 0 stores, 1 is fastest, 9 is smallest. */
export type CompressionLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** Whether `value` names a compressor or `auto`. */
export function isCompressorChoice(value: unknown): value is CompressorChoice {
  return value === "auto" || value === "compression-stream" || value === "zlib" || value === "fflate" || value === "parallel-zlib" || value === "parallel-pako";
}

/** Whether `value` is a gzip compression level. */
export function isCompressionLevel(value: unknown): value is CompressionLevel {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 9;
}
