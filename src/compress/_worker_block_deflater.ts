import type { BlockDeflater } from "./_block_gzip_stream.ts";
import type { BlockDeflateRequest, BlockDeflateResponse } from "./_block_deflate_worker.ts";
import type { CompressionLevel } from "./compressor.ts";
import { pakoBlockDeflater } from "./_pako_block_deflater.ts";

/** Makes one Web Worker that runs _block_deflate_worker.ts (or its built .js). */
export type BlockWorkerFactory = () => Worker;

/** A {@link BlockDeflater} that can be stopped: its workers terminated. */
export interface ClosableBlockDeflater extends BlockDeflater {
  /** Terminates the workers; blocks still under way are dropped. Idempotent. */
  close(): void;
}

interface Job {
  id: number;
  block: Uint8Array;
  dictionary: Uint8Array | undefined;
  level: CompressionLevel;
  resolve(output: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * Blocks deflated by pako in up to `workers` Web Workers, started as blocks
 * come and terminated by `close()`. Where a worker cannot be made (no
 * `Worker`, a Content-Security-Policy without `worker-src` for it) or fails to
 * load, the blocks are deflated on this thread instead, by the same pako: the
 * bytes never depend on where a block was deflated.
 */
export function workerBlockDeflater(createWorker: BlockWorkerFactory, workers: number): ClosableBlockDeflater {
  const idle: Worker[] = [];
  const busy = new Map<Worker, Job>();
  const queue: Job[] = [];
  let started = 0;
  let lastId = 0;
  let closed = false;
  let oneThread: Promise<BlockDeflater> | undefined; // set once workers are out of the question

  const onThisThread = (job: Job) => {
    oneThread ??= pakoBlockDeflater();
    oneThread.then((deflater) => deflater.deflate(job.block, job.dictionary, job.level)).then(job.resolve, job.reject);
  };
  const giveUpOnWorkers = () => {
    oneThread ??= pakoBlockDeflater();
    const stranded = [...busy.values(), ...queue.splice(0)];
    for (const worker of [...idle.splice(0), ...busy.keys()]) worker.terminate();
    busy.clear();
    for (const job of stranded) onThisThread(job);
  };
  const send = (worker: Worker, job: Job) => {
    busy.set(worker, job);
    // A block may be a view of a larger chunk: send a copy of just its bytes,
    // never the caller's buffer.
    const block = job.block.slice();
    const message: BlockDeflateRequest = { id: job.id, block, dictionary: job.dictionary, level: job.level };
    worker.postMessage(message, [block.buffer]);
  };
  const startWorker = (): Worker | undefined => {
    try {
      const worker = createWorker();
      worker.onmessage = (event: MessageEvent<BlockDeflateResponse>) => {
        const job = busy.get(worker);
        busy.delete(worker);
        if (job?.id === event.data.id) {
          if ("output" in event.data) job.resolve(event.data.output);
          else job.reject(new Error(`Cannot compress: ${event.data.error}`));
        }
        const next = queue.shift();
        if (next) send(worker, next);
        else idle.push(worker);
      };
      // A script that does not load, or throws, ends here: no message will come.
      worker.onerror = (event) => {
        event.preventDefault();
        giveUpOnWorkers();
      };
      worker.onmessageerror = () => giveUpOnWorkers();
      started++;
      return worker;
    } catch {
      return undefined; // no Worker here, or forbidden
    }
  };

  return {
    deflate(block, dictionary, level) {
      return new Promise<Uint8Array>((resolve, reject) => {
        const job: Job = { id: ++lastId, block, dictionary, level, resolve, reject };
        if (closed) return reject(new Error("Cannot compress: the workers were closed"));
        if (oneThread) return onThisThread(job);
        const worker = idle.pop() ?? (started < workers ? startWorker() : undefined);
        if (worker) return send(worker, job);
        if (started === 0) return giveUpOnWorkers(), onThisThread(job);
        queue.push(job);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      const dropped = [...busy.values(), ...queue.splice(0)];
      for (const worker of [...idle.splice(0), ...busy.keys()]) worker.terminate();
      busy.clear();
      for (const job of dropped) job.reject(new Error("Cannot compress: the workers were closed"));
    },
  };
}
