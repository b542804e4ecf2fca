import { compressedBlockOf, type BlockRequest, type BlockResponse, type CompressedBlock, type ZstdBlockCompressor } from "./_zstd_block.ts";

/** Makes one Web Worker that runs _zstd_block_web_worker.ts (or its built .js). */
export type ZstdWorkerFactory = () => Worker;

/**
 * How long workers may take to say they are ready before the blocks go to this
 * thread: a worker whose script never runs (a bundler's output that waits for
 * a chunk it cannot load) neither answers nor fails.
 */
const READY_WITHIN_MS = 15_000;

/** What a worker says: ready (zstd instantiated), failed to start, or a block's answer. */
export type ZstdWorkerMessage = { ready: true } | { failed: string } | BlockResponse;

interface Job {
  id: number;
  block: Uint8Array<ArrayBuffer>;
  output: ArrayBuffer;
  level: number;
  resolve(done: CompressedBlock): void;
  reject(error: unknown): void;
}

/**
 * Blocks compressed by up to `threads` Web Workers of one layer, started with
 * its first block (each handed the compiled `module`: nothing is compiled
 * twice) and terminated by `close()`. A block goes to a worker only once that
 * worker has said it is ready, so that the buffers it takes (transferred,
 * not copied) never go to a worker that could not start. Where no worker can
 * be made or start (no `Worker`, a Content-Security-Policy without
 * `worker-src` for it, a script that does not load), the blocks are
 * compressed by `fallback`, on this thread: the bytes never depend on where
 * a block was compressed.
 */
export function webWorkerBlockCompressor(module: WebAssembly.Module, threads: number, fallback: () => Promise<ZstdBlockCompressor>, createWorker: ZstdWorkerFactory = defaultZstdWorker): ZstdBlockCompressor {
  const starting = new Set<Worker>();
  const idle: Worker[] = [];
  const busy = new Map<Worker, Job>();
  const queue: Job[] = [];
  let lastId = 0;
  let closed = false;
  let oneThread: Promise<ZstdBlockCompressor> | undefined; // once workers are out of the question
  let readyTimer: ReturnType<typeof setTimeout> | undefined;

  const onThisThread = (job: Job) => {
    oneThread ??= fallback();
    oneThread.then((compressor) => compressor.compress(job.block, job.output, job.level)).then(job.resolve, job.reject);
  };
  const terminateAll = () => {
    clearTimeout(readyTimer);
    for (const worker of [...starting, ...idle.splice(0), ...busy.keys()]) worker.terminate();
    starting.clear();
  };
  /** Workers cannot run here: what waits goes to this thread; blocks already sent fail (their buffers went with them). */
  const giveUpOnWorkers = (why: string) => {
    oneThread ??= fallback();
    const lost = [...busy.values()];
    busy.clear();
    terminateAll();
    for (const job of lost) job.reject(new Error(`Cannot compress with zstd: a Web Worker failed: ${why}`));
    for (const job of queue.splice(0)) onThisThread(job);
  };
  const dispatch = () => {
    for (let worker = idle.pop(); worker; worker = idle.pop()) {
      const job = queue.shift();
      if (!job) return void idle.push(worker);
      busy.set(worker, job);
      const request: BlockRequest = { id: job.id, input: job.block.buffer, length: job.block.byteLength, output: job.output, level: job.level };
      worker.postMessage(request, [request.input, request.output]);
    }
  };
  const startWorker = (): boolean => {
    let worker: Worker;
    try {
      worker = createWorker();
    } catch {
      return false; // no Worker here, or forbidden
    }
    worker.onmessage = (event: MessageEvent<ZstdWorkerMessage>) => {
      const message = event.data;
      if ("ready" in message) {
        clearTimeout(readyTimer);
        starting.delete(worker);
        idle.push(worker);
        return dispatch();
      }
      if ("failed" in message) return giveUpOnWorkers(message.failed);
      const job = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      dispatch();
      if (job?.id !== message.id) return;
      try {
        job.resolve(compressedBlockOf(message));
      } catch (error) {
        job.reject(error);
      }
    };
    // A script that does not load, or throws, ends here.
    worker.onerror = (event) => {
      event.preventDefault();
      giveUpOnWorkers(event.message || "its script did not load");
    };
    worker.onmessageerror = () => giveUpOnWorkers("a message could not be read");
    starting.add(worker);
    worker.postMessage({ module });
    return true;
  };
  const start = () => {
    for (let i = 0; i < threads; i++) {
      if (!startWorker()) break;
    }
    if (starting.size === 0) oneThread ??= fallback();
    else readyTimer = setTimeout(() => giveUpOnWorkers(`no worker was ready within ${READY_WITHIN_MS / 1000} s`), READY_WITHIN_MS);
  };

  return {
    threads,
    compress(block, output, level) {
      return new Promise<CompressedBlock>((resolve, reject) => {
        const job: Job = { id: ++lastId, block, output, level, resolve, reject };
        if (closed) return reject(new Error("Cannot compress: the layer's zstd stream was stopped"));
        if (job.id === 1) start();
        if (oneThread) return onThisThread(job);
        queue.push(job);
        dispatch();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      const dropped = [...busy.values(), ...queue.splice(0)];
      busy.clear();
      terminateAll();
      for (const job of dropped) job.reject(new Error("Cannot compress: the layer's zstd stream was stopped"));
    },
  };
}

/**
 * The worker as bundlers find it: Vite, webpack and esbuild-based tools see
 * `new Worker(new URL("./x.js", import.meta.url), { type: "module" })` and
 * bundle x.js as a worker entry. Run from the TypeScript sources (Deno, JSR),
 * this module's URL ends in .ts and so does the worker's.
 */
function defaultZstdWorker(): Worker {
  if (import.meta.url.endsWith(".ts")) {
    return new Worker(import.meta.url.replace(/_web_worker_block_compressor\.ts$/, "_zstd_block_web_worker.ts"), { type: "module" });
  }
  return new Worker(new URL("./_zstd_block_web_worker.js", import.meta.url), { type: "module" });
}
