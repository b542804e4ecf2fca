import type { Compressor } from "../compressor.ts";
import { ZstdWasm } from "./_zstd_wasm.ts";

/**
 * One zstd frame, made by zstd's own encoder in WebAssembly on this thread.
 * The bytes depend on the input and `level` alone: every piece goes in with
 * ZSTD_e_continue, and the frame ends on an empty ZSTD_e_end, so the frame
 * carries no content size and no flush that a chunk boundary would cause
 * (the bytes of `zstd --no-check` reading a pipe, and of `node:zlib`'s zstd
 * written one piece at a time).
 *
 * Backpressure holds: a `TransformStream` transforms the next piece only when
 * its reader has room, and each transform enqueues at most what zstd made of
 * one piece.
 */
export async function zstdCompressStream(level: number): Promise<Compressor> {
  const zstd = await ZstdWasm.create();
  zstd.beginCompress(level);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      zstd.compress(chunk, (bytes) => controller.enqueue(bytes.slice()));
    },
    flush(controller) {
      zstd.endCompress((bytes) => controller.enqueue(bytes.slice()));
    },
  });
}
