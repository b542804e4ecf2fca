import { blockGzipStream } from "./_block_gzip_stream.ts";
import type { CompressionLevel, Compressor } from "./compressor.ts";
import { javascriptCrc32 } from "./_crc32.ts";
import { workerBlockDeflater, type BlockWorkerFactory } from "./_worker_block_deflater.ts";

/** Options for {@link workerBlockGzipStream}. */
export interface WorkerBlockGzipOptions {
  /** @default 6 */
  level?: CompressionLevel;
  /** How many Web Workers deflate at once. @default the cores available, at most 4 */
  workers?: number;
  /** Blocks compressing or waiting at once: the bound on memory (about twice this many MiB). @default workers + 2 */
  blocksInFlight?: number;
  /** Makes one worker; the default loads _block_deflate_worker.js beside this module. */
  createWorker?: BlockWorkerFactory;
}

/** The most workers started when none is asked for: beyond, the main thread's hashing is the limit. */
const MAX_DEFAULT_WORKERS = 4;

/**
 * `parallel-pako`: the block format of deterministic mode (1 MiB blocks, each
 * primed with the previous 32 KiB and ended with a sync flush; pako 3 as the
 * deflate) with its blocks deflated by a small pool of Web Workers, so its
 * bytes equal deterministic mode's at the same level. For browsers and Deno.
 * The workers are terminated when the stream ends, is cancelled or fails;
 * where none can run, the blocks are deflated on this thread.
 */
export function workerBlockGzipStream(cores: number, options: WorkerBlockGzipOptions = {}): Compressor {
  const { level = 6, workers = Math.max(1, Math.min(MAX_DEFAULT_WORKERS, cores)), createWorker = defaultBlockWorker } = options;
  const { blocksInFlight = workers + 2 } = options;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`Invalid workers: expected a positive integer, got ${String(workers)}`);
  const deflater = workerBlockDeflater(createWorker, workers);
  let inner: Compressor;
  try {
    inner = blockGzipStream(deflater, javascriptCrc32(), { level, blocksInFlight });
  } catch (error) {
    deflater.close();
    throw error;
  }
  const reader = inner.readable.getReader();
  const writer = inner.writable.getWriter();
  writer.closed.catch(() => {}); // its failure reaches the reader too
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            deflater.close();
            controller.close();
          } else {
            controller.enqueue(next.value);
          }
        } catch (error) {
          deflater.close();
          controller.error(error);
        }
      },
      cancel(reason) {
        deflater.close();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk),
    close: () => writer.close(),
    abort(reason) {
      deflater.close();
      return writer.abort(reason);
    },
  });
  return { readable, writable };
}

/**
 * The worker as bundlers find it: Vite, webpack and esbuild-based tools see
 * `new Worker(new URL("./x.js", import.meta.url), { type: "module" })` and
 * bundle x.js as a worker entry. Run from the TypeScript sources (Deno, JSR),
 * this module's URL ends in .ts and so does the worker's, which the literal
 * pattern cannot say, so that case builds the URL from this module's own.
 */
function defaultBlockWorker(): Worker {
  if (import.meta.url.endsWith(".ts")) {
    return new Worker(import.meta.url.replace(/_worker_block_gzip_stream\.ts$/, "_block_deflate_worker.ts"), { type: "module" });
  }
  return new Worker(new URL("./_block_deflate_worker.js", import.meta.url), { type: "module" });
}
