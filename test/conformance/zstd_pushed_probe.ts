// What each runtime does for zstd_pushed.test.ts: push one zstd image (a
// 3 MiB tar, so two 2 MiB frames, read in odd chunks) and say what it pushed.
// Web-platform globals only: this file runs in Node, Deno, workerd and Chromium.
import { chunkedStream, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import type { StreamLayerLibrary } from "./harness.ts";

export const ZSTD_PUSHED_LENGTH = 3 * 1024 * 1024 + 777;
export const ZSTD_PUSHED_SEED = 2124;

/** The tar every runtime pushes. */
export function zstdPushedTar(): Uint8Array<ArrayBuffer> {
  return withTarHeader(tarLikeBytes(ZSTD_PUSHED_LENGTH, ZSTD_PUSHED_SEED));
}

/** What a runtime pushed. */
export interface PushedZstd {
  repository: string;
  manifestDigest: string;
  layerDigest: string;
  diffID: string;
  size: number;
}

/** Pushes the image to `registry` (host:port) as `zstd-pushed/<runtime>:v1`. */
export async function pushZstdImage(lib: StreamLayerLibrary, registry: string, runtime: string): Promise<PushedZstd> {
  const repository = `zstd-pushed/${runtime}`;
  const layer = new lib.StreamLayer(chunkedStream(zstdPushedTar(), { chunkSizes: [50_000, 333_333, 7] }).stream, { compression: "zstd" });
  const pushed = await lib.writeImage(`${registry}/${repository}:v1`, lib.appendLayers(lib.emptyImage(), layer), { chunkSize: 512 * 1024 });
  return { repository, manifestDigest: pushed.digest, layerDigest: await layer.digest(), diffID: await layer.diffID(), size: await layer.size() };
}
