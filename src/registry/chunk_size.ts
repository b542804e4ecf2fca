const MiB = 1024 * 1024;

/**
 * The chunk size of a chunked upload when none is given: 8 MiB (4 MiB on ghcr.io).
 *
 * @example Halving the memory of a push
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer, writeLayer } from "streamlayer";
 * import { DEFAULT_CHUNK_SIZE } from "streamlayer/registry";
 *
 * const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream());
 * const descriptor = await writeLayer("127.0.0.1:5000/demo", layer, { chunkSize: DEFAULT_CHUNK_SIZE / 2 });
 * assert.equal(descriptor.size, await layer.size());
 * ```
 */
export const DEFAULT_CHUNK_SIZE = 8 * MiB;

/** GitHub's registry refuses PATCHes over 4 MiB. */
const GHCR_MAX_CHUNK = 4 * MiB;
/** Amazon ECR refuses chunks under 5 MiB but the last. */
const ECR_MIN_CHUNK = 5 * MiB;

/**
 * The chunk size that works on a registry host when the caller picked none:
 * 4 MiB on GHCR, at least 5 MiB on Amazon ECR, else {@link DEFAULT_CHUNK_SIZE}.
 *
 * @param registry The registry host, such as `ghcr.io`.
 * @param chosen The caller's `chunkSize`, which wins when given.
 * @throws {RangeError} when `chosen` is not a positive integer.
 */
export function chunkSizeFor(registry: string, chosen?: number): number {
  if (chosen !== undefined) {
    if (!Number.isInteger(chosen) || chosen < 1) throw new RangeError(`Invalid chunkSize: expected a positive integer, got ${chosen}`);
    return chosen;
  }
  const host = registry.toLowerCase().replace(/:\d+$/, "");
  if (host === "ghcr.io" || host.endsWith(".ghcr.io")) return GHCR_MAX_CHUNK;
  if (/\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/.test(host)) return Math.max(DEFAULT_CHUNK_SIZE, ECR_MIN_CHUNK);
  return DEFAULT_CHUNK_SIZE;
}

/** What a registry states about chunk sizes when it opens an upload session. */
export interface ChunkLengthLimits {
  /** `OCI-Chunk-Min-Length`: chunks but the last must be at least this long. */
  readonly min?: number | undefined;
  /** `OCI-Chunk-Max-Length`: no chunk may be longer (Cloudflare's serverless-registry states 100 MB). */
  readonly max?: number | undefined;
}

/**
 * The chunk size an upload uses: the caller's (or the default), raised to the
 * registry's minimum, then kept within its maximum. Where a registry states
 * both and they contradict each other the maximum wins: a chunk over it is
 * refused outright, while a short one may still be taken.
 */
export function chunkSizeWithin(size: number, limits: ChunkLengthLimits): number {
  const raised = Math.max(size, limits.min ?? 0);
  return limits.max === undefined ? raised : Math.min(raised, limits.max);
}
