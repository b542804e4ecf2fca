import type { ZlibModule, ZlibGzip } from "./_zlib_module.ts";
import type { Compressor } from "./compressor.ts";

// Larger output pieces than zlib's 16 KiB default mean fewer chunks downstream.
const OUTPUT_CHUNK_SIZE = 64 * 1024;

/**
 * Gzip over the runtime's native zlib, with backpressure that holds: each
 * `transform` waits until zlib has taken the chunk, and a `TransformStream`
 * calls `transform` again only when its reader has room. Output is taken from
 * zlib as soon as it appears, so input that compresses to nothing (zeros)
 * never stalls the pump.
 *
 * zlib speaks through events, outside every promise of the stream, so nothing
 * it says may throw: once the stream is closed, errored or cancelled, zlib is
 * destroyed and whatever it still emits is dropped. This matters in `flush`,
 * where a `TransformStream` does not call `cancel` (the Streams standard waits
 * for the flush instead): a cancel there is seen as an enqueue that fails.
 */
export function zlibGzipStream(zlib: ZlibModule, level: number | undefined): Compressor {
  let gzip: ZlibGzip;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    gzip.destroy();
  };
  // `cancel` is called when the reader cancels or the writer aborts (the
  // Streams standard since 2023; Node 20 has it; TypeScript's lib not yet).
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(): void } = {
    start(controller) {
      gzip = zlib.createGzip(level === undefined ? { chunkSize: OUTPUT_CHUNK_SIZE } : { level, chunkSize: OUTPUT_CHUNK_SIZE });
      gzip.on("data", (chunk) => {
        if (stopped) return;
        try {
          controller.enqueue(chunk);
        } catch {
          stop(); // the readable side is gone: cancelled, or errored by the writer's abort
        }
      });
      gzip.on("error", (error) => {
        if (stopped) return;
        stopped = true;
        try {
          controller.error(error);
        } catch {
          // already errored or closed: nobody is left to tell
        }
      });
    },
    transform(chunk) {
      if (stopped) return Promise.reject(new TypeError("Cannot compress: the gzip stream was stopped"));
      return new Promise<void>((resolve, reject) => {
        gzip.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    flush() {
      return new Promise<void>((resolve, reject) => {
        if (stopped) return resolve();
        // `end` after the last byte; `close` alone when destroyed on the way.
        gzip.once("end", resolve);
        gzip.once("close", resolve);
        gzip.once("error", reject);
        gzip.end();
      });
    },
    cancel: stop,
  };
  return new TransformStream(transformer, undefined, { highWaterMark: 4 });
}
