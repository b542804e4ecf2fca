import { setFlagsFromString } from "node:v8";

/**
 * How much a WebAssembly function must run before V8 optimizes it: V8's
 * default (1,800,000) times about 55.
 */
const TIERING_BUDGET = 100_000_000;

/**
 * Keeps WebAssembly that runs little on V8's baseline compiler (Liftoff),
 * for the rest of the process: call before the first fetch.
 *
 * Why: Node's fetch parses HTTP with llhttp compiled to WebAssembly, and V8
 * soon optimizes its functions (TurboFan) on background threads, for a push's
 * few dozen short answers. heaptrack shows that compiling at 31 MB of peak
 * memory (`ExecuteTurbofanWasmCompilation`'s zones), which the C allocator
 * keeps in those threads' arenas (about 30 MB of RSS held for the rest of a
 * 200 MiB push). With a higher budget llhttp stays on Liftoff (5 to 7 MB in
 * thread arenas), while code that runs long, zstd's compressor, still
 * reaches TurboFan within its first MiB or so.
 */
export function keepBriefWasmUnoptimized(): void {
  try {
    setFlagsFromString(`--wasm-tiering-budget=${TIERING_BUDGET}`);
  } catch {
    // A runtime without V8's flags: nothing to tune.
  }
}
