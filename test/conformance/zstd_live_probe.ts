// What each runtime computes for zstd_live.test.ts: the same seeded inputs
// made into zstd layers at a few levels, each runtime with a chunking of its
// own. Web-platform globals only: this file runs in Node, Deno, workerd and
// Chromium, and its answer is compared across them.
import { chunkedStream, tarLikeBytes } from "../support/bytes.ts";
import { collect, random, type StreamLayerLibrary } from "./harness.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** The inputs: empty, one byte, either side of zstd's 128 KiB block and of 1 MiB, and a few MiB with an odd tail. */
export const ZSTD_LIVE_SIZES = [0, 1, 128 * KiB - 1, 128 * KiB + 1, MiB - 1, MiB + 1, 3 * MiB + 12_345] as const;
export const ZSTD_LIVE_LEVELS = [-3, 1, 3, 12] as const;
export const ZSTD_LIVE_SEED = 2020;

/** One layer as a runtime saw it. */
export interface ZstdLiveLayer {
  level: number;
  length: number;
  digest: string;
  diffID: string;
  size: number;
  mediaType: string;
  /** How many zstd bytes came out, counted by the probe rather than the layer. */
  zstdLength: number;
}

/**
 * The layers for every size and level; `chunkSeed` picks this runtime's
 * chunking, and `onZstd`, if given, sees each layer's bytes.
 */
export async function zstdLayers(lib: StreamLayerLibrary, chunkSeed: number, onZstd?: (layer: ZstdLiveLayer, zstd: Uint8Array) => void): Promise<ZstdLiveLayer[]> {
  const next = random(chunkSeed);
  const layers: ZstdLiveLayer[] = [];
  for (const level of ZSTD_LIVE_LEVELS) {
    for (const length of ZSTD_LIVE_SIZES) {
      const bytes = tarLikeBytes(length, ZSTD_LIVE_SEED);
      const chunkSizes = [1 + next(200_000), 1 + next(70_000), 1 + next(3_000_000)];
      const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes }).stream, { compression: "zstd", level, requireTar: false });
      const zstd = await collect(layer.compressed());
      const live = { level, length, digest: await layer.digest(), diffID: await layer.diffID(), size: await layer.size(), mediaType: layer.mediaType(), zstdLength: zstd.length };
      onZstd?.(live, zstd);
      layers.push(live);
    }
  }
  return layers;
}
