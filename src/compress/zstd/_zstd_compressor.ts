import type { Compressor } from "../compressor.ts";
import type { ZstdBlockCompressor } from "./_zstd_block.ts";

/** What a runtime's `#zstd-wasm` module may offer beside the loader: threads. */
interface ZstdThreads {
  zstdThreadPool?: (threads?: number) => ZstdBlockCompressor | undefined;
}

/**
 * The zstd compressor for one layer: fixed blocks as independent frames, on
 * the runtime's threads where it has them (Node's worker threads), else one
 * at a time on this thread; the same bytes either way. Loaded on demand (the
 * block stream and the WebAssembly behind it), so that bundles of layers
 * that never ask for zstd carry none of it.
 *
 * @param parallelism How many threads, where there are threads (default: the cores, at most 4).
 */
export async function zstdCompressor(level: number, parallelism?: number): Promise<Compressor> {
  const [{ blockZstdStream }, { thisThreadBlockCompressor }, zstdRuntime] = await Promise.all([
    import("./_block_zstd_stream.ts"),
    import("./_this_thread_block_compressor.ts"),
    import("#zstd-wasm"),
  ]);
  const pool = (zstdRuntime as ZstdThreads).zstdThreadPool?.(parallelism);
  return blockZstdStream(pool ?? (await thisThreadBlockCompressor()), level);
}
