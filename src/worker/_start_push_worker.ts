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
 * A push worker that has loaded (it said "ready"), or undefined where none
 * can be made: no `Worker` global, a constructor that throws, or a worker that
 * fails before it is ready, which is how Chromium reports a Content-Security-Policy
 * `worker-src` refusal and how every browser reports a file that does not load.
 * Nothing has been posted to it, so the caller may still push on its own thread.
 *
 * @throws the signal's reason when it aborts meanwhile (the worker is terminated).
 */
export function startPushWorker(signal: AbortSignal | undefined): Promise<Worker | undefined> {
  if (typeof Worker !== "function") return Promise.resolve(undefined);
  let worker: Worker;
  try {
    worker = createPushWorker();
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise<Worker | undefined>((resolve, reject) => {
    const settle = (ready: boolean, error?: { reason: unknown }) => {
      worker.onmessage = null;
      worker.onerror = null;
      signal?.removeEventListener("abort", onAbort);
      if (!ready) worker.terminate();
      if (error) reject(error.reason);
      else resolve(ready ? worker : undefined);
    };
    const onAbort = () => settle(false, { reason: signal?.reason });
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
