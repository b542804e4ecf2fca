import type { CompressionLevel, Compressor } from "./compressor.ts";
import { fflateGzipStream } from "./fflate_gzip_stream.ts";

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
 * not reach it. The platform's `CompressionStream` and native zlib are not
 * used: their headers and encoders differ between runtimes and versions.
 */
export function deterministicGzipStream(level: CompressionLevel = DETERMINISTIC_DEFAULT_LEVEL): Promise<Compressor> {
  return fflateGzipStream(level, { blockSize: DETERMINISTIC_BLOCK_SIZE });
}
