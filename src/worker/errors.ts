import { StreamLayerError } from "../errors.ts";

/**
 * `pushInWorker` was asked for a worker (`thread: "worker"`) where none can be
 * made: the runtime has no `Worker`, a Content-Security-Policy refuses it
 * (`worker-src`), or its file did not load. Nothing was read from the source.
 * With `thread: "auto"` (the default) the push runs on the calling thread instead.
 *
 * @example Insisting on a worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushInWorker, WorkerUnavailableError } from "streamlayer/worker";
 *
 * const tarball = new Blob([new Uint8Array(1024)]);
 * const pushed = pushInWorker("127.0.0.1:5000/demo:worker-only", tarball, { thread: "worker" });
 * if (typeof Worker === "function") assert.equal((await pushed).thread, "worker");
 * else await assert.rejects(pushed, (error) => error instanceof WorkerUnavailableError && error.code === "WORKER_UNAVAILABLE");
 * ```
 */
export class WorkerUnavailableError extends StreamLayerError {
  /** Always `"WorkerUnavailableError"`. */
  override readonly name = "WorkerUnavailableError";
  /** Makes the error, with the default message unless one is given. */
  constructor(message = "Cannot push in a worker: no module Web Worker can be made here (no Worker, a Content-Security-Policy, or its file did not load)", options?: ErrorOptions) {
    super("WORKER_UNAVAILABLE", message, options);
  }
}
