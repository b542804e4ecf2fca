import { setFlagsFromString } from "node:v8";

/**
 * How much a WebAssembly function must run before V8 optimizes it: the most
 * the flag takes (V8's default is 1,800,000). At 100,000,000 llhttp still
 * reached TurboFan in a 200 MiB push, later (--trace-wasm-compilation-times).
 */
const TIERING_BUDGET = 2 ** 31 - 1;

/**
 * Keeps WebAssembly that runs little on V8's baseline compiler (Liftoff),
 * for the rest of the process: call before the first fetch.
 *
 * Why: Node's fetch parses HTTP with llhttp compiled to WebAssembly, and V8
 * soon optimizes its functions (TurboFan) on background threads, for a push's
 * few dozen short answers. heaptrack shows that compiling at 31 MB of peak
 * memory (`ExecuteTurbofanWasmCompilation`'s zones), which the C allocator
 * keeps in those threads' arenas (about 30 MB of RSS held for the rest of a
 * 200 MiB push). With this budget llhttp stays on Liftoff for a whole push
 * (5 to 7 MB in thread arenas), and zstd is no slower: a 200 MiB zstd push
 * took 3.1 to 3.2 s of CPU with and without it.
 */
export function keepBriefWasmUnoptimized(): void {
  try {
    setFlagsFromString(`--wasm-tiering-budget=${TIERING_BUDGET}`);
  } catch {
    // A runtime without V8's flags: nothing to tune.
  }
}
