import type { FromWorker } from "./_protocol.ts";

/**
 * The push worker as bundlers find it: Vite, webpack and esbuild-based tools
 * see `new Worker(new URL("./x.js", import.meta.url), { type: "module" })` and
 * emit x.js as a worker entry of its own (as parallel-pako's worker is found,
 * in compress/_worker_block_gzip_stream.ts). Run from the TypeScript sources
 * (Deno, JSR) this module's URL ends in .ts and so does the worker's, which
 * the literal cannot say, so that case builds the URL from this module's own.
 */
function createPushWorker(): Worker {
  if (import.meta.url.endsWith(".ts")) {
    return new Worker(import.meta.url.replace(/_start_push_worker\.ts$/, "_push_worker.ts"), { type: "module" });
  }
  return new Worker(new URL("./_push_worker.js", import.meta.url), { type: "module" });
}

/**
 * How long a worker may take to load before the push goes on without it.
 * A worker that neither loads nor fails would otherwise hold the push for
 * ever: webpack 5.113's experimental ES module output, for one, makes a worker
 * whose start waits for a chunk that holds no script (zstd.wasm's).
 */
export const READY_WITHIN_MS = 15_000;

/** Options of {@link startPushWorker}, for tests. */
export interface StartPushWorkerOptions {
  /** @default the worker beside this module */
  readonly createWorker?: () => Worker;
  /** @default {@link READY_WITHIN_MS} */
  readonly readyWithin?: number;
}

/**
 * A push worker that has loaded (it said "ready"), or undefined where none
 * can be made: no `Worker` global, a constructor that throws, a worker that
 * fails before it is ready (which is how Chromium reports a Content-Security-Policy
 * `worker-src` refusal and how every browser reports a file that does not load),
 * or one not ready within `readyWithin`. Nothing has been posted to it, so the
 * caller may still push on its own thread. A worker not used is terminated.
 *
 * @throws the signal's reason when it aborts meanwhile.
 */
export function startPushWorker(signal: AbortSignal | undefined, options: StartPushWorkerOptions = {}): Promise<Worker | undefined> {
  const { createWorker = createPushWorker, readyWithin = READY_WITHIN_MS } = options;
  if (typeof Worker !== "function") return Promise.resolve(undefined);
  let worker: Worker;
  try {
    worker = createWorker();
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise<Worker | undefined>((resolve, reject) => {
    const settle = (ready: boolean, error?: { reason: unknown }) => {
      clearTimeout(bound);
      worker.onmessage = null;
      worker.onerror = null;
      signal?.removeEventListener("abort", onAbort);
      if (!ready) worker.terminate();
      if (error) reject(error.reason);
      else resolve(ready ? worker : undefined);
    };
    const onAbort = () => settle(false, { reason: signal?.reason });
    const bound = setTimeout(() => settle(false), readyWithin);
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (event.data?.type === "ready") settle(true);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      settle(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
