import { blockGzipStream } from "./_block_gzip_stream.ts";
import type { CompressionLevel, Compressor } from "./compressor.ts";
import { javascriptCrc32 } from "./_crc32.ts";
import type { ZlibModule } from "./_zlib_module.ts";
import { zlibBlockDeflater, zlibCrc32 } from "./_zlib_block_deflater.ts";

// The blocks kept in flight: one per core and two more so that no thread waits
// while finished blocks are handed on, within Node's default thread pool of 4
// (more would only queue, and hold memory).
const MAX_BLOCKS_IN_FLIGHT = 4;

/**
 * `parallel-zlib`: {@link blockGzipStream} on the runtime's zlib thread pool,
 * with zlib's CRC-32 where it has one (Node 20.15 and later). Loaded on demand
 * by `createCompressor`, so that browser bundles, which never use it, do not
 * carry it.
 */
export function parallelZlibStream(zlib: ZlibModule, level: CompressionLevel | undefined, cores: number, blocksInFlight = defaultBlocksInFlight(cores)): Compressor {
  const crc = zlibCrc32(zlib) ?? javascriptCrc32();
  return blockGzipStream(zlibBlockDeflater(zlib), crc, level === undefined ? { blocksInFlight } : { level, blocksInFlight });
}

/** The blocks in flight when none is asked for: cores + 2, at most 4. */
export function defaultBlocksInFlight(cores: number): number {
  return Math.min(MAX_BLOCKS_IN_FLIGHT, cores + 2);
}
