import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MiB = 1024 * 1024;

/** ArrayBuffer memory above which a collection is asked for: a push's live buffers are about 18 MiB. */
const LIMIT = 24 * MiB;
const CHECK_EVERY_MS = 50;

/**
 * While a command moves bytes, asks V8 for a garbage collection whenever the
 * memory held by ArrayBuffers passes {@link LIMIT}; returns a function that stops.
 *
 * Why: a push allocates its buffers (file reads, 1 MiB compression blocks,
 * zlib's output) and drops each within milliseconds, but V8 frees an
 * ArrayBuffer's memory only when a collection finds it dead, and it starts
 * one for ArrayBuffer memory only once that has grown by 64 MiB since the
 * last; the JS heap (a few MiB) seldom fills to start one sooner. Measured on
 * a 200 MiB push: 53 MiB of ArrayBuffers at the peak, 18 MiB of them live
 * (heap snapshot), 126 MB of RSS; asking at 24 MiB: 104 to 114 MB, about 60
 * collections and 6% more CPU (BENCH_ONLY=cli npm run bench).
 *
 * `gc` is V8's own, reached as jest's leak detector reaches it; where that is
 * refused (a runtime without V8's flags), nothing is done.
 */
export function collectDeadBuffers(): () => void {
  const gc = exposedGc();
  if (gc === undefined) return () => {};
  const timer = setInterval(() => {
    if (process.memoryUsage().arrayBuffers > LIMIT) gc();
  }, CHECK_EVERY_MS);
  timer.unref(); // never what keeps the command running
  return () => clearInterval(timer);
}

function exposedGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
