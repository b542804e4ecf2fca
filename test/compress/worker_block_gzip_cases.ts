// parallel-pako's cases, for the runtimes that have Web Workers (Deno and
// Chromium; see worker_block_gzip.test.ts): the bytes equal deterministic
// mode's single-thread block format, DecompressionStream restores the input,
// and a cancel or a failure in the middle terminates every worker it started
// and stops the source. Web-platform globals only.
import { deterministicGzipStream } from "../../src/compress/_deterministic_gzip_stream.ts";
import { workerBlockGzipStream, type WorkerBlockGzipOptions } from "../../src/compress/_worker_block_gzip_stream.ts";
import type { CompressionLevel } from "../../src/compress/compressor.ts";
// harness.ts's collect reads with a reader: Chromium's Response would turn a failed stream into "Failed to fetch".
import { assert, assertBytesEqual, assertEqual, collect, random, webCryptoDigest, type StreamLayerLibrary } from "../conformance/harness.ts";
import { chunkedStream, tarLikeBytes } from "../support/bytes.ts";

const MiB = 1024 * 1024;

export interface WorkerCase {
  name: string;
  run(lib: StreamLayerLibrary): Promise<void>;
}

/** Counts the Workers made and terminated while `body` runs, by standing in for the global `Worker`. */
async function countingWorkers<T>(body: () => Promise<T>): Promise<{ result: T; made: number; terminated: number }> {
  const Original = globalThis.Worker;
  const counts = { made: 0, terminated: 0 };
  globalThis.Worker = class CountingWorker extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      counts.made++;
    }
    override terminate(): void {
      counts.terminated++;
      super.terminate();
    }
  };
  try {
    return { result: await body(), ...counts };
  } finally {
    globalThis.Worker = Original;
  }
}

async function gzipOf(bytes: Uint8Array, chunkSizes: number[], level: CompressionLevel, options: WorkerBlockGzipOptions = {}): Promise<Uint8Array> {
  return collect(chunkedStream(bytes, { chunkSizes }).stream.pipeThrough(workerBlockGzipStream(2, { level, ...options })));
}

async function gunzip(gzip: Uint8Array): Promise<Uint8Array> {
  return collect(new Blob([gzip.slice()]).stream().pipeThrough(new DecompressionStream("gzip")));
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert(condition(), `within 5 s: ${what}`);
};

export const workerCases: WorkerCase[] = [
  {
    name: "the bytes of the single-thread block format, restored by DecompressionStream, for sizes around a block and chunkings",
    async run() {
      const next = random(7);
      for (const length of [0, 1, MiB - 1, MiB, MiB + 1, 5 * MiB + 7]) {
        const bytes = tarLikeBytes(length, length + 1);
        const level = length % 2 === 0 ? 6 : 1;
        const expected = await collect(chunkedStream(bytes, { chunkSizes: [length || 1] }).stream.pipeThrough(await deterministicGzipStream(level)));
        const { result: gzip, made, terminated } = await countingWorkers(() => gzipOf(bytes, [1 + next(300_000), 1 + next(2 * MiB)], level));
        assertEqual(await webCryptoDigest(gzip), await webCryptoDigest(expected), `digest of ${length} bytes at level ${level}`);
        assertBytesEqual(await gunzip(gzip), bytes, `DecompressionStream restores ${length} bytes`);
        assertEqual(terminated, made, `workers terminated at the end (${length} bytes)`);
        if (length > MiB) assert(made >= 1, "blocks were sent to workers");
      }
    },
  },
  {
    name: "one digest for 1, 2 and 4 workers and 1 or 3 blocks in flight",
    async run() {
      const bytes = tarLikeBytes(4 * MiB + 12_345, 11);
      const digests = new Set<string>();
      for (const options of [{ workers: 1 }, { workers: 2 }, { workers: 4 }, { workers: 2, blocksInFlight: 1 }, { workers: 4, blocksInFlight: 3 }]) {
        digests.add(await webCryptoDigest(await gzipOf(bytes, [65_536, 1_000_003], 1, options)));
      }
      assertEqual(digests.size, 1, "distinct digests");
    },
  },
  {
    name: "through StreamLayer: compressor parallel-pako gives the deterministic layer's digest",
    async run(lib) {
      const bytes = tarLikeBytes(3 * MiB + 5, 5);
      const parallel = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [100_000] }).stream, { compressor: "parallel-pako", compressionLevel: 1, requireTar: false });
      const deterministic = new lib.StreamLayer(chunkedStream(bytes).stream, { deterministic: true, compressionLevel: 1, requireTar: false });
      const gzip = await collect(parallel.compressed());
      await collect(deterministic.compressed());
      assertEqual(await parallel.digest(), await deterministic.digest(), "digest");
      assertEqual(await parallel.digest(), await webCryptoDigest(gzip), "digest of the bytes read");
      assertEqual(await parallel.diffID(), await webCryptoDigest(bytes), "DiffID");
    },
  },
  {
    name: "a cancel in the middle terminates the workers and cancels the source",
    async run() {
      const bytes = tarLikeBytes(16 * MiB, 3);
      const { result: source, made, terminated } = await countingWorkers(async () => {
        const { stream, record } = chunkedStream(bytes, { chunkSizes: [256 * 1024], paced: true });
        const reader = stream.pipeThrough(workerBlockGzipStream(2, { level: 6 })).getReader();
        await reader.read(); // the header
        await reader.read(); // the first block: workers are busy with the next ones
        await reader.cancel(new Error("enough"));
        await until(() => record.cancelled !== undefined, "the source is cancelled");
        return record;
      });
      assert(made >= 1, "workers were started");
      assertEqual(terminated, made, "workers terminated");
      assert(source.pulled < bytes.length, "the source was not read to its end");
    },
  },
  {
    name: "a source failing in the middle fails the stream and terminates the workers",
    async run() {
      const failure = new Error("disk gone");
      const { result: outcome, made, terminated } = await countingWorkers(async () => {
        const { stream } = chunkedStream(tarLikeBytes(8 * MiB, 4), { chunkSizes: [300_000], failWith: failure, failAfter: 3 * MiB });
        return collect(stream.pipeThrough(workerBlockGzipStream(2, { level: 1 }))).then(() => undefined, (error: unknown) => error);
      });
      assert(outcome === failure, `the source's error comes out, got ${String(outcome)}`);
      assert(made >= 1, "workers were started");
      assertEqual(terminated, made, "workers terminated");
    },
  },
  {
    name: "no Worker can be made (as under a Content-Security-Policy), or it does not load: the same bytes on this thread",
    async run() {
      const bytes = tarLikeBytes(2 * MiB + 3, 9);
      const expected = await webCryptoDigest(await gzipOf(bytes, [MiB], 1));
      const forbidden = () => {
        throw new DOMException("Refused to create a worker", "SecurityError");
      };
      assertEqual(await webCryptoDigest(await gzipOf(bytes, [77_777], 1, { createWorker: forbidden })), expected, "digest with no worker");
      const missing = () => new Worker(new URL("./no_such_worker.js", import.meta.url), { type: "module" });
      assertEqual(await webCryptoDigest(await gzipOf(bytes, [77_777], 1, { createWorker: missing })), expected, "digest with a worker that does not load");
    },
  },
];

/**
 * For a page whose Content-Security-Policy forbids workers (Chromium makes the
 * Worker, then fails it with an error event and a CSP violation): the workers
 * are terminated and the default compressor still gives the bytes of the
 * block format, on this thread.
 */
export const forbiddenWorkersCase: WorkerCase = {
  name: "a page whose Content-Security-Policy forbids workers: the same bytes on this thread",
  async run() {
    const violations: string[] = [];
    const onViolation = (event: Event) => violations.push((event as SecurityPolicyViolationEvent).effectiveDirective);
    globalThis.addEventListener("securitypolicyviolation", onViolation);
    try {
      const bytes = tarLikeBytes(3 * MiB + 3, 13);
      const expected = await collect(chunkedStream(bytes).stream.pipeThrough(await deterministicGzipStream(1)));
      const { result: gzip, made, terminated } = await countingWorkers(() => gzipOf(bytes, [123_457], 1));
      assertEqual(terminated, made, "workers terminated");
      assert(violations.includes("worker-src"), `the policy refused a worker (violations: ${violations.join(", ") || "none"})`);
      assertEqual(await webCryptoDigest(gzip), await webCryptoDigest(expected), "digest");
      assertBytesEqual(await gunzip(gzip), bytes, "DecompressionStream restores the input");
    } finally {
      globalThis.removeEventListener("securitypolicyviolation", onViolation);
    }
  },
};
