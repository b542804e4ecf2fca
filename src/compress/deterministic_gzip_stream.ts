import type { CompressionLevel, Compressor } from "./compressor.ts";
import { FixedSizeChunker } from "./fixed_size_chunk_stream.ts";

/**
 * The block size fed to fflate in deterministic mode. Part of the output
 * format: changing it changes every deterministic digest.
 */
export const DETERMINISTIC_BLOCK_SIZE = 64 * 1024;

/** The level used in deterministic mode when none is asked for. */
export const DETERMINISTIC_DEFAULT_LEVEL: CompressionLevel = 6;

/**
 * Gzip whose bytes depend only on the input bytes and the level: the same in
 * every runtime and on every host. It is fflate (the same JavaScript
 * everywhere, with `mtime: 0`, so no time or host in the header), pushed
 * input re-cut into fixed {@link DETERMINISTIC_BLOCK_SIZE} blocks: fflate's
 * output depends on where its pushes are cut, so the source's chunking must
 * not reach it.
 *
 * The platform's `CompressionStream` and native zlib are not used: their
 * headers and encoders differ between runtimes and versions. One stream
 * stage, not a chunker piped into a compressor, so a failure has one path.
 */
export async function deterministicGzipStream(level: CompressionLevel = DETERMINISTIC_DEFAULT_LEVEL): Promise<Compressor> {
  const { Gzip } = await import("fflate");
  const chunker = new FixedSizeChunker(DETERMINISTIC_BLOCK_SIZE);
  let gzip: InstanceType<typeof Gzip>;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gzip = new Gzip({ mtime: 0, level }, (data) => {
        if (data.length > 0) controller.enqueue(data);
      });
    },
    transform(chunk) {
      for (const block of chunker.push(chunk)) gzip.push(block);
    },
    flush() {
      const rest = chunker.flush();
      if (rest) gzip.push(rest);
      gzip.push(new Uint8Array(0), true);
    },
  });
}
