/** The lowest zstd level (`ZSTD_minCLevel()`, zstd's `--fast=131072`): the fastest, the largest. */
export const ZSTD_MIN_LEVEL: number = -131072;

/** The highest zstd level (`ZSTD_maxCLevel()`): the slowest, the smallest. */
export const ZSTD_MAX_LEVEL: number = 22;

/** zstd's default level, as in zstd(1) and containerd. */
export const ZSTD_DEFAULT_LEVEL: number = 3;

/** Whether `value` is a zstd level: an integer from {@link ZSTD_MIN_LEVEL} to {@link ZSTD_MAX_LEVEL} (0 stands for the default, 3). */
export function isZstdLevel(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= ZSTD_MIN_LEVEL && (value as number) <= ZSTD_MAX_LEVEL;
}
