// One round of the Web Workers benchmark, in whichever runtime runs it (Deno,
// Chromium): the same bytes through each case in turn, timed. Web-platform
// globals only.
import { fflateGzipStream } from "../src/compress/_fflate_gzip_stream.ts";
import { deterministicGzipStream } from "../src/compress/_deterministic_gzip_stream.ts";
import { workerBlockGzipStream } from "../src/compress/_worker_block_gzip_stream.ts";
import type { CompressionLevel, Compressor } from "../src/compress/compressor.ts";

const MiB = 1024 * 1024;

/** The cases, in the order of a round; the first is the baseline. */
export const WEB_WORKER_CASES = [
  "CompressionStream (bare pipeline)",
  "fflate one thread level 1",
  "pako one thread level 1",
  "parallel-pako 1 worker level 1",
  "parallel-pako 2 workers level 1",
  "fflate one thread level 6",
  "pako one thread level 6",
  "parallel-pako 1 worker level 6",
  "parallel-pako 2 workers level 6",
] as const;

function compressorFor(name: string): Promise<Compressor> | Compressor {
  if (name.startsWith("CompressionStream")) return new CompressionStream("gzip") as Compressor;
  const level = Number(name.at(-1)) as CompressionLevel;
  if (name.startsWith("pako one thread")) return deterministicGzipStream(level);
  if (name.startsWith("fflate")) return fflateGzipStream(level);
  return workerBlockGzipStream(2, { level, workers: Number(/(\d) worker/.exec(name)![1]) });
}

/** Milliseconds per case for one pass of `bytes` (fed in 1 MiB chunks), cases rotated by `round`. */
export async function webWorkerRound(bytes: Uint8Array, round: number): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  for (let i = 0; i < WEB_WORKER_CASES.length; i++) {
    const name = WEB_WORKER_CASES[(i + round) % WEB_WORKER_CASES.length]!;
    const started = performance.now();
    const compressor = await compressorFor(name);
    let offset = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, (offset += MiB)));
      },
    }, { highWaterMark: 0 });
    let length = 0;
    await source.pipeThrough(compressor).pipeTo(new WritableStream({ write: (chunk) => void (length += chunk.length) }));
    times[name] = performance.now() - started;
    if (length === 0) throw new Error(`${name}: no output`);
  }
  return times;
}
