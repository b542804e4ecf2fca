import type { ZlibModule, ZlibGzip } from "./runtime.ts";
import type { Compressor } from "./compressor.ts";

// Larger output pieces than zlib's 16 KiB default mean fewer chunks downstream.
const OUTPUT_CHUNK_SIZE = 64 * 1024;

/**
 * Gzip over the runtime's native zlib, with backpressure that holds: each
 * `transform` waits until zlib has taken the chunk, and a `TransformStream`
 * calls `transform` again only when its reader has room. Output is taken from
 * zlib as soon as it appears, so input that compresses to nothing (zeros)
 * never stalls the pump.
 */
export function zlibGzipStream(zlib: ZlibModule, level: number | undefined): Compressor {
  let gzip: ZlibGzip;
  // `cancel` is called when the reader cancels or the writer aborts (the
  // Streams standard since 2023; Node 20 has it; TypeScript's lib not yet).
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(): void } = {
    start(controller) {
      gzip = zlib.createGzip(level === undefined ? { chunkSize: OUTPUT_CHUNK_SIZE } : { level, chunkSize: OUTPUT_CHUNK_SIZE });
      gzip.on("data", (chunk) => controller.enqueue(chunk));
      gzip.on("error", (error) => controller.error(error));
    },
    transform(chunk) {
      return new Promise<void>((resolve, reject) => {
        gzip.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    flush() {
      return new Promise<void>((resolve) => {
        gzip.once("end", resolve);
        gzip.end();
      });
    },
    cancel() {
      gzip.destroy();
    },
  };
  return new TransformStream(transformer, undefined, { highWaterMark: 4 });
}
