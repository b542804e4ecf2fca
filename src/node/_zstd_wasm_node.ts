// How Node (and Deno, through the `node` condition) run zstd: zstd.wasm read
// from beside the module that uses it (Node's fetch takes no file: URL), and
// blocks compressed on worker threads. Picked by the `node` condition of
// package.json's `#zstd-wasm` import.
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { compressBlock, compressedBlockOf, type BlockRequest, type BlockResponse, type CompressedBlock, type ZstdBlockCompressor } from "../compress/zstd/_zstd_block.ts";
import { ZstdWasm } from "../compress/zstd/_zstd_wasm.ts";

/** Reads and compiles zstd.wasm. */
export async function compileZstdWasm(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(new URL("../compress/zstd/zstd.wasm", import.meta.url)));
}

// The worker beside this module: .js as built; the .ts when run from the
// sources, through tsx, which a worker thread does not inherit.
const FROM_SOURCES = new URL(import.meta.url).pathname.endsWith(".ts");
const WORKER = new URL(`./_zstd_block_worker${FROM_SOURCES ? ".ts" : ".js"}`, import.meta.url);
// A small young generation: a thread allocates little per block (its buffers come
// and go transferred), and what it holds shows in the process's memory.
const startWorker = (module: WebAssembly.Module): Worker => {
  const options = { workerData: { module }, resourceLimits: { maxYoungGenerationSizeMb: 1 } };
  return FROM_SOURCES
    ? // tsx as this module finds it, not from the working directory, which may be anywhere.
      new Worker(`import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER.href)}); })`, { ...options, eval: true })
    : new Worker(WORKER, options);
};

interface Waiting {
  resolve(done: CompressedBlock): void;
  reject(error: unknown): void;
}

/**
 * Threads shared by every layer of this process, started on first use (a
 * thread takes tens of milliseconds to start; far more from the sources,
 * which tsx compiles again in each) and unref'd, so that they never keep the
 * process alive. Each is handed zstd.wasm compiled, and its blocks with
 * their frame buffers, which come back with the frames: a thread allocates
 * nothing per block, so it holds no garbage between its rare collections.
 */
class SharedThreads {
  readonly #workers: (Worker | undefined)[] = [];
  readonly #waiting = new Map<number, Waiting & { thread: number }>();
  readonly #busy: number[];
  #nextId = 0;

  constructor(readonly count: number, readonly module: WebAssembly.Module) {
    this.#busy = new Array<number>(count).fill(0);
  }

  /** The fewest blocks a thread has, the one it compresses included. */
  get leastBusy(): number {
    return Math.min(...this.#busy);
  }

  compress(block: Uint8Array<ArrayBuffer>, output: ArrayBuffer, level: number): Promise<CompressedBlock> {
    const id = this.#nextId++;
    // The thread with the fewest blocks: blocks are alike in size, so this keeps every thread busy.
    const busy = this.#busy;
    const index = busy.indexOf(Math.min(...busy));
    const worker = this.#worker(index);
    // Referenced while it has work (a layer waits for it), not once idle.
    busy[index] = (busy[index] ?? 0) + 1;
    if (busy[index] === 1) worker.ref();
    const done = () => {
      busy[index] = (busy[index] ?? 1) - 1;
      if (busy[index] === 0) worker.unref();
    };
    return new Promise<CompressedBlock>((resolve, reject) => {
      this.#waiting.set(id, { thread: index, resolve: (frame) => (done(), resolve(frame)), reject: (error) => (done(), reject(error)) });
      const request: BlockRequest = { id, input: block.buffer, length: block.byteLength, output, level };
      worker.postMessage(request, [request.input, request.output]);
    });
  }

  #worker(index: number): Worker {
    const running = this.#workers[index];
    if (running) return running;
    const worker = startWorker(this.module);
    worker.on("message", (answer: BlockResponse) => {
      const job = this.#waiting.get(answer.id);
      this.#waiting.delete(answer.id);
      try {
        job?.resolve(compressedBlockOf(answer));
      } catch (error) {
        job?.reject(error);
      }
    });
    // A thread that fails or exits fails what it was given, and is started again when next needed.
    const lost = (error: unknown) => {
      if (this.#workers[index] === worker) this.#workers[index] = undefined;
      for (const [id, job] of this.#waiting) {
        if (job.thread === index) {
          this.#waiting.delete(id);
          job.reject(error);
        }
      }
    };
    worker.on("error", lost);
    worker.on("exit", () => lost(new Error("Cannot compress with zstd: a worker thread exited")));
    worker.unref(); // after the listeners, which reference it again
    this.#workers[index] = worker;
    return worker;
  }
}

const shared = new Map<number, SharedThreads>();

interface UnassignedBlock {
  block: Uint8Array<ArrayBuffer>;
  output: ArrayBuffer;
  level: number;
  resolve(done: CompressedBlock): void;
  reject(error: unknown): void;
}

/**
 * `threads` threads for one layer: this one and `threads` - 1 worker threads,
 * each with its own instance of `module` (zstd.wasm compiled once, here).
 * Blocks wait in order until a thread takes them: a worker thread takes the
 * oldest whenever it has fewer than two (one compressing, one waiting, so it
 * never goes idle), and this thread takes the oldest only when it has nothing
 * else to do (a macrotask: once the stream's promises have run, while it
 * waits for a worker thread or for input), so it never holds back a block a
 * worker thread waits for (compressing one as soon as the worker threads had
 * two, in the middle of reading the input, was 11 % slower on 2 cores). The
 * worker threads are shared with other layers of the same parallelism;
 * closing stops waiting for this layer's blocks (a block being compressed
 * finishes, and is dropped). Undefined where one thread is all there is.
 */
export function zstdThreadPool(module: WebAssembly.Module, threads = Math.min(availableParallelism(), 4)): ZstdBlockCompressor | undefined {
  if (threads < 2) return undefined;
  let pool = shared.get(threads - 1);
  if (!pool) shared.set(threads - 1, (pool = new SharedThreads(threads - 1, module)));
  const workers = pool;
  const unassigned: UnassignedBlock[] = [];
  let here: Promise<ZstdWasm> | undefined;
  let hereScheduled = false;
  let hereFailed = false;
  let closed = false;

  const compressHere = async () => {
    let zstd: ZstdWasm;
    try {
      zstd = await (here ??= ZstdWasm.instantiate(module));
    } catch {
      hereFailed = true; // no instance here (out of memory): the worker threads take every block
      return;
    } finally {
      hereScheduled = false;
    }
    const job = unassigned.shift();
    if (!job || closed) return;
    try {
      job.resolve({ frame: compressBlock(zstd, job.block, job.level, job.output), input: job.block.buffer });
    } catch (error) {
      job.reject(error);
    }
    dispatch();
  };
  const dispatch = () => {
    while (unassigned.length > 0 && workers.leastBusy < 2) {
      const job = unassigned.shift()!;
      workers.compress(job.block, job.output, job.level).then(job.resolve, job.reject).finally(dispatch);
    }
    if (unassigned.length > 0 && !hereScheduled && !hereFailed) {
      hereScheduled = true;
      setImmediate(() => void compressHere());
    }
  };
  return {
    threads,
    // Two for each worker thread, and one that this thread may take. One more
    // was about 4 % faster on 2 cores, but the bench's 1 GiB layer then grew
    // the process by 62 to 67 MiB, against its bound of 64.
    inFlight: 2 * workers.count + 1,
    compress(block, output, level) {
      if (closed) return Promise.reject(new Error("Cannot compress: the layer's zstd stream was stopped"));
      return new Promise<CompressedBlock>((resolve, reject) => {
        unassigned.push({ block, output, level, resolve, reject });
        dispatch();
      });
    },
    close() {
      closed = true;
      for (const job of unassigned.splice(0)) job.reject(new Error("Cannot compress: the layer's zstd stream was stopped"));
    },
  };
}
