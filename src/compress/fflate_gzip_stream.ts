import type { CompressionLevel, Compressor } from "./compressor.ts";
import { FixedSizeChunker } from "./fixed_size_chunker.ts";

/** Options for {@link fflateGzipStream}. */
export interface FflateGzipOptions {
  /**
   * Re-cut the input into blocks of this many bytes before fflate sees it,
   * so that the output depends on the bytes alone, not on how they arrived.
   *
   * @default undefined (push the input as it comes)
   */
  blockSize?: number;
}

/**
 * Gzip in JavaScript with fflate, for runtimes without `CompressionStream` or
 * without a native zlib when a level is asked for, and for deterministic
 * layers. `mtime: 0` keeps the time out of the header, so the same input gives
 * the same bytes.
 *
 * fflate is imported here, on first use, so that bundles which never need it
 * do not carry it.
 */
export async function fflateGzipStream(level: CompressionLevel | undefined, options: FflateGzipOptions = {}): Promise<Compressor> {
  const { Gzip } = await import("fflate");
  const chunker = options.blockSize === undefined ? undefined : new FixedSizeChunker(options.blockSize);
  let gzip: InstanceType<typeof Gzip>;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gzip = new Gzip({ mtime: 0, level: level ?? 6 }, (data) => {
        if (data.length > 0) controller.enqueue(data);
      });
    },
    transform(chunk) {
      if (!chunker) return gzip.push(chunk);
      for (const block of chunker.push(chunk)) gzip.push(block);
    },
    flush() {
      const rest = chunker?.flush();
      if (rest) gzip.push(rest);
      gzip.push(new Uint8Array(0), true);
    },
  });
}
