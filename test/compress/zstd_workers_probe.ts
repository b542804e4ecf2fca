// What each runtime computes for zstd_workers.test.ts: zstd layers of the same
// seeded inputs (empty, 1 byte, either side of a 2 MiB block, several blocks
// and an odd tail) at two levels, on 1, 2 and 3 threads, each with a chunking
// of its own, and how many of zstd's Web Workers were started for them
// (counted by wrapping the runtime's own Worker). Web-platform globals only: this runs in
// Node, Deno and Chromium, and the answers are compared.
import { chunkedStream, collect, tarLikeBytes, xorshift32 } from "../support/bytes.ts";
import type { StreamLayerLibrary } from "../conformance/harness.ts";

const MiB = 1024 * 1024;
const BLOCK = 2 * MiB;
export const ZSTD_WORKER_SIZES = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 12_345] as const;
export const ZSTD_WORKER_LEVELS = [1, 3] as const;
export const ZSTD_WORKER_THREADS = [1, 2, 3] as const;
const SEED = 4242;

/** One layer as a runtime saw it. */
export interface ZstdWorkerLayer {
  level: number;
  length: number;
  threads: number;
  digest: string;
  diffID: string;
  size: number;
  zstdLength: number;
}

/** The layers, and the Web Workers started while making them (0 where there is no `Worker`). */
export async function zstdWorkerLayers(lib: StreamLayerLibrary, chunkSeed: number): Promise<{ layers: ZstdWorkerLayer[]; workersStarted: number }> {
  const counted = countWorkers();
  try {
    const next = xorshift32(chunkSeed);
    const layers: ZstdWorkerLayer[] = [];
    for (const level of ZSTD_WORKER_LEVELS) {
      for (const length of ZSTD_WORKER_SIZES) {
        const bytes = tarLikeBytes(length, SEED);
        for (const threads of ZSTD_WORKER_THREADS) {
          const chunkSizes = [1 + (next() % 300_000), 1 + (next() % 70_000), 1 + (next() % 3_000_000)];
          const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { compression: "zstd", level, parallelism: threads, requireTar: false });
          const zstd = await collect(layer.compressed());
          layers.push({ level, length, threads, digest: await layer.digest(), diffID: await layer.diffID(), size: await layer.size(), zstdLength: zstd.length });
        }
      }
    }
    return { layers, workersStarted: counted.started() };
  } finally {
    counted.restore();
  }
}

/** Counts zstd's Web Workers made from here on, each still the runtime's own. */
function countWorkers(): { started(): number; restore(): void } {
  const Original = globalThis.Worker as typeof Worker | undefined;
  let started = 0;
  if (Original === undefined) return { started: () => 0, restore: () => {} };
  globalThis.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      if (String(url).includes("zstd")) started++; // not the hashing workers

    }
  };
  return { started: () => started, restore: () => void (globalThis.Worker = Original) };
}

/** One layer of several blocks on 2 threads: its digest. */
export async function oneZstdLayerDigest(lib: StreamLayerLibrary): Promise<string> {
  const bytes = tarLikeBytes(5 * BLOCK + 12_345, SEED);
  const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [777_777] }).stream, { compression: "zstd", parallelism: 2, requireTar: false });
  await collect(layer.compressed());
  return layer.digest();
}
