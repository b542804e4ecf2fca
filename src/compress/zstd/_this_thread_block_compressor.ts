import { compressBlock, type ZstdBlockCompressor } from "./_zstd_block.ts";
import { ZstdWasm } from "./_zstd_wasm.ts";

/** Blocks compressed one at a time on this thread: where no thread can be had, the same bytes. */
export async function thisThreadBlockCompressor(): Promise<ZstdBlockCompressor> {
  const zstd = await ZstdWasm.create();
  return {
    threads: 1,
    compress: (block, level) => Promise.resolve().then(() => compressBlock(zstd, block, level)),
    close: () => {},
  };
}
