import type { Compressor } from "../compressor.ts";
import type { ZstdBlockCompressor } from "./_zstd_block.ts";

/** What a runtime's `#zstd-wasm` module may offer beside the loader: threads of its own (Node's). */
interface ZstdThreads {
  zstdThreadPool?: (module: WebAssembly.Module, threads?: number) => ZstdBlockCompressor | undefined;
}

/** The most threads used when none is asked for: beyond, this thread's hashing is the limit. */
const MAX_DEFAULT_THREADS = 4;

/**
 * The zstd compressor for one layer: fixed blocks as independent frames, on
 * the runtime's threads where it has them (Node's worker threads), else on
 * Web Workers where there are some (browsers, Deno), else one at a time on
 * this thread; the same bytes either way. zstd.wasm is compiled once and
 * handed to every thread. Loaded on demand (the block stream and the
 * WebAssembly behind it), so that bundles of layers that never ask for zstd
 * carry none of it.
 *
 * @param parallelism How many threads (default: the cores, at most 4); 1 keeps to this thread.
 */
export async function zstdCompressor(level: number, parallelism?: number): Promise<Compressor> {
  const [{ blockZstdStream }, { webBlockCompressor, zstdModule }, zstdRuntime] = await Promise.all([
    import("./_block_zstd_stream.ts"),
    import("./_this_thread_block_compressor.ts"),
    import("#zstd-wasm"),
  ]);
  const module = await zstdModule();
  const pool = (zstdRuntime as ZstdThreads).zstdThreadPool?.(module, parallelism);
  return blockZstdStream(pool ?? (await webBlockCompressor(module, parallelism ?? defaultThreads())), level);
}

function defaultThreads(): number {
  const cores = typeof navigator === "object" ? navigator.hardwareConcurrency : undefined;
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, cores ?? 1));
}
