import type { Layer } from "../layer/layer.ts";

/**
 * Runs `work` on the items, `jobs` at a time. After the first failure no new
 * item starts and `onFailure` is told; the promise settles only once every
 * item under way has ended (and so cleaned up after itself), with the first failure.
 */
export async function runBounded<T>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<void>, onFailure: (error: unknown) => void): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        if (failure !== undefined) continue;
        failure = { error };
        onFailure(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

/**
 * After a failure, streaming layers nobody started are ended too, so that
 * their sources (a file, stdin) are released. A re-readable layer (bytes, a
 * registry's blob) makes a new stream that nothing has started: ending it costs nothing.
 */
export async function cancelUnread(layer: Layer, reason: unknown): Promise<void> {
  try {
    await layer.compressed().cancel(reason);
  } catch {
    // Consumed already (uploaded or being uploaded), or nothing to end.
  }
}

/** Checks the `jobs` option of a push: a positive integer. */
export function checkJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`Invalid jobs: expected a positive integer, got ${String(jobs)}`);
  return jobs;
}
