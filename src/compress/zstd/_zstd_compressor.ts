import type { Compressor } from "../compressor.ts";

/**
 * The zstd compressor for one layer. Loaded on demand (this module and the
 * WebAssembly behind it), so that bundles of layers that never ask for zstd
 * carry none of it.
 */
export async function zstdCompressor(level: number): Promise<Compressor> {
  const { zstdCompressStream } = await import("./_zstd_compress_stream.ts");
  return zstdCompressStream(level);
}
