import type { CompressionLevel, Compressor } from "./compressor.ts";
import { fflateGzipStream } from "./fflate_gzip_stream.ts";
import { FixedSizeChunkStream } from "./fixed_size_chunk_stream.ts";

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
 * everywhere, with `mtime: 0`, so no time or host in the header), fed input
 * re-chunked to fixed {@link DETERMINISTIC_BLOCK_SIZE} blocks, so the
 * source's chunking does not show in the output.
 *
 * The platform's `CompressionStream` and native zlib are not used: their
 * headers and encoders differ between runtimes and versions.
 */
export async function deterministicGzipStream(level: CompressionLevel = DETERMINISTIC_DEFAULT_LEVEL): Promise<Compressor> {
  const blocks = new FixedSizeChunkStream(DETERMINISTIC_BLOCK_SIZE);
  const gzip = await fflateGzipStream(level);
  return { writable: blocks.writable, readable: blocks.readable.pipeThrough(gzip) };
}
