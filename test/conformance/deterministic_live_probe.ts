// What each runtime computes for deterministic_live.test.ts: the same seeded
// inputs made into deterministic layers at levels 1 and 6, each runtime with a
// chunking of its own. Web-platform globals only: this file runs in Node,
// Deno, workerd and Chromium, and its answer is compared across them.
import { chunkedStream, tarLikeBytes } from "../support/bytes.ts";
import { collect, random, type StreamLayerLibrary } from "./harness.ts";

const MiB = 1024 * 1024;

/** The inputs: empty, one byte, either side of a block (1 MiB), and a few MiB with an odd tail. */
export const LIVE_SIZES = [0, 1, MiB - 1, MiB + 1, 3 * MiB + 12_345] as const;
export const LIVE_LEVELS = [1, 6] as const;
export const LIVE_SEED = 1010;

/** One layer as a runtime saw it. */
export interface LiveLayer {
  level: number;
  length: number;
  digest: string;
  diffID: string;
  size: number;
  /** How many gzip bytes came out, counted by the probe rather than the layer. */
  gzipLength: number;
}

/**
 * The layers for every size and level; `chunkSeed` picks this runtime's
 * chunking, and `onGzip`, if given, sees each layer's gzip bytes.
 */
export async function deterministicLayers(lib: StreamLayerLibrary, chunkSeed: number, onGzip?: (layer: LiveLayer, gzip: Uint8Array) => void): Promise<LiveLayer[]> {
  const next = random(chunkSeed);
  const layers: LiveLayer[] = [];
  for (const level of LIVE_LEVELS) {
    for (const length of LIVE_SIZES) {
      const bytes = tarLikeBytes(length, LIVE_SEED);
      const chunkSizes = [1 + next(200_000), 1 + next(70_000), 1 + next(3_000_000)];
      const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { deterministic: true, compressionLevel: level, requireTar: false });
      const gzip = await collect(layer.compressed());
      const live = { level, length, digest: await layer.digest(), diffID: await layer.diffID(), size: await layer.size(), gzipLength: gzip.length };
      onGzip?.(live, gzip);
      layers.push(live);
    }
  }
  return layers;
}
