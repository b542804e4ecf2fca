import { ZstdWasm } from "./_zstd_wasm.ts";

/**
 * Decompresses a stream of zstd frames (one or more, as zstd(1) reads them)
 * with zstd's own decoder in WebAssembly on this thread. Fails when the data
 * is not zstd, is corrupt, or ends inside a frame. Each piece of input is
 * decompressed whole before the next is taken; what it gives is enqueued in
 * pieces of at most 128 KiB.
 */
export async function zstdDecompressStream(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  const zstd = await ZstdWasm.create();
  zstd.beginDecompress();
  let atFrameEnd = true;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (chunk.byteLength === 0) return;
      atFrameEnd = zstd.decompress(chunk, (bytes) => controller.enqueue(bytes.slice()));
    },
    flush() {
      if (!atFrameEnd) throw new Error("Cannot decompress with zstd: the data ends inside a frame");
    },
  });
}
