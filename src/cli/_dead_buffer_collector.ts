import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MiB = 1024 * 1024;

/**
 * ArrayBuffer memory above which a young-generation collection is asked for.
 * Cheap (well under a millisecond: the young generation is a few MiB), and it
 * frees most of a push's garbage, which dies young: file reads and zlib's
 * output, dropped once copied into a compression block or the upload chunk.
 */
const MINOR_LIMIT = 14 * MiB;
/**
 * Above which a full collection is asked for: it also frees the buffers that
 * lived through two young collections and were promoted (zlib's outputs
 * waiting for their turn behind the blocks in flight). A push's live buffers
 * are about 16 to 18 MiB (the 8 MiB upload chunk, 5 blocks of 1 MiB, their
 * outputs, a file read or two).
 */
const MAJOR_LIMIT = 22 * MiB;
/**
 * How often the memory is looked at: a push makes about 80 MiB of garbage a
 * second, so at 50 ms it overshot the limit by up to 10 MiB. A look costs
 * about 11 µs (`process.memoryUsage()`).
 */
const CHECK_EVERY_MS = 5;

type Gc = (options?: { type: "minor" | "major" }) => void;

/**
 * While a command moves bytes, asks V8 for a garbage collection whenever the
 * memory held by ArrayBuffers passes {@link MINOR_LIMIT} (a young-generation
 * one) or {@link MAJOR_LIMIT} (a full one); returns a function that stops.
 *
 * Why: a push allocates its buffers (file reads, 1 MiB compression blocks,
 * zlib's output) and drops each within milliseconds, but V8 frees an
 * ArrayBuffer's memory only when a collection finds it dead, and it starts
 * one for ArrayBuffer memory only once that has grown by 64 MiB since the
 * last; the JS heap (a few MiB) seldom fills to start one sooner, and the C
 * allocator's heap grows with the dead buffers. 200 MiB pushes
 * (BENCH_ONLY=cli npm run bench): with nothing asked, 126 MB of RSS; a full
 * collection past 24 MiB, looked at every 50 ms: 106 to 112 MB (about 60
 * collections, 6.2 to 6.4 s of CPU); as now: 99 to 100 MB (about 80 full and
 * 340 young collections, 6.2 to 6.8 s of CPU on the loaded 2 cores).
 *
 * `gc` is V8's own, reached as jest's leak detector reaches it; where that is
 * refused (a runtime without V8's flags), nothing is done.
 */
export function collectDeadBuffers(): () => void {
  const gc = exposedGc();
  if (gc === undefined) return () => {};
  const timer = setInterval(() => {
    const arrayBuffers = process.memoryUsage().arrayBuffers;
    if (arrayBuffers > MAJOR_LIMIT) gc();
    else if (arrayBuffers > MINOR_LIMIT) gc({ type: "minor" });
  }, CHECK_EVERY_MS);
  timer.unref(); // never what keeps the command running
  return () => clearInterval(timer);
}

function exposedGc(): Gc | undefined {
  const existing = (globalThis as { gc?: Gc }).gc;
  if (typeof existing === "function") return existing;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}
