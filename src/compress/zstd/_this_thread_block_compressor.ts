import { compressBlock, type ZstdBlockCompressor } from "./_zstd_block.ts";
import { webWorkerBlockCompressor } from "./_web_worker_block_compressor.ts";
import { ZstdWasm } from "./_zstd_wasm.ts";

/** Blocks compressed one at a time on this thread: where no thread can be had, the same bytes. */
export async function thisThreadBlockCompressor(module?: WebAssembly.Module): Promise<ZstdBlockCompressor> {
  const zstd = await (module ? ZstdWasm.instantiate(module) : ZstdWasm.create());
  return {
    threads: 1,
    compress: (block, output, level) => Promise.resolve().then(() => ({ frame: compressBlock(zstd, block, level, output), input: block.buffer })),
    close: () => {},
  };
}

/**
 * Where the runtime has no threads of its own for zstd (browsers, Deno, not
 * Node): `threads` Web Workers where there is a `Worker` and more than one
 * thread is asked for, else this thread. Web Workers that cannot start or
 * load give their blocks back to this thread: the same bytes either way.
 */
export function webBlockCompressor(module: WebAssembly.Module, threads: number): Promise<ZstdBlockCompressor> {
  if (threads > 1 && typeof Worker === "function") {
    return Promise.resolve(webWorkerBlockCompressor(module, threads, () => thisThreadBlockCompressor(module)));
  }
  return thisThreadBlockCompressor(module);
}

export { zstdModule } from "./_zstd_wasm.ts";
