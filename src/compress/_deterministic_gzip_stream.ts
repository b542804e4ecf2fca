import { blockGzipStream } from "./_block_gzip_stream.ts";
import type { CompressionLevel, Compressor } from "./compressor.ts";
import { javascriptCrc32 } from "./_crc32.ts";
import { pakoBlockDeflater } from "./_pako_block_deflater.ts";

/** The level used in deterministic mode when none is asked for. */
export const DETERMINISTIC_DEFAULT_LEVEL: CompressionLevel = 6;

/**
 * Gzip whose bytes depend only on the input bytes and the level: the same in
 * every runtime and on every host. It is the block format of `parallel-zlib`
 * (fixed 1 MiB blocks, each primed with the last 32 KiB of the one before and
 * ended with a sync flush; no time in the header), which makes the bytes
 * independent of how the input was chunked, with one deflate implementation
 * that runs everywhere: pako, in JavaScript, one block at a time. The
 * platform's `CompressionStream` and native zlib are not used: their encoders
 * differ between runtimes and versions.
 */
export async function deterministicGzipStream(level: CompressionLevel = DETERMINISTIC_DEFAULT_LEVEL): Promise<Compressor> {
  return blockGzipStream(await pakoBlockDeflater(), javascriptCrc32(), { level, blocksInFlight: 1 });
}
