import type { BlockDeflater, Crc32 } from "./_block_gzip_stream.ts";
import type { ZlibModule } from "./_zlib_module.ts";

// Output pieces as large as a block usually compresses to, so that zlib hands
// back one buffer per block instead of a list to concatenate.
const OUTPUT_CHUNK_SIZE = 512 * 1024;

/**
 * Blocks deflated by the runtime's native zlib on its thread pool (`deflateRaw`
 * with a callback runs off the main thread in Node), so that as many blocks
 * compress at once as the pool has threads.
 */
export function zlibBlockDeflater(zlib: ZlibModule): BlockDeflater {
  const { Z_SYNC_FLUSH } = zlib.constants;
  return {
    deflate(block, dictionary, level) {
      const options = { level, finishFlush: Z_SYNC_FLUSH, chunkSize: OUTPUT_CHUNK_SIZE, ...(dictionary ? { dictionary } : {}) };
      return new Promise<Uint8Array>((resolve, reject) => {
        zlib.deflateRaw(block, options, (error, output) => (error ? reject(error) : resolve(output)));
      });
    },
  };
}

/** zlib's own CRC-32 (Node 20.15 and later), or `undefined` where this zlib has none. */
export function zlibCrc32(zlib: ZlibModule): Crc32 | undefined {
  const crc32 = zlib.crc32;
  if (!crc32) return undefined;
  let value = 0;
  return {
    update(data) {
      value = crc32(data, value);
    },
    value: () => value,
  };
}
