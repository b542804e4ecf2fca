/** How many times a chunk is sent at most before the upload gives up. */
export const MAX_CHUNK_ATTEMPTS = 5;

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 30_000;

/**
 * How long to wait before attempt `attempt + 1`: the registry's `Retry-After`
 * (seconds or an HTTP date) when it sent one, else an exponential backoff
 * from 200 ms; never more than 30 s.
 */
export function retryDelay(attempt: number, retryAfter: string | null, now: () => number = Date.now): number {
  const backoff = BASE_DELAY_MS * 2 ** attempt;
  if (retryAfter === null) return Math.min(backoff, MAX_DELAY_MS);
  const seconds = Number(retryAfter.trim());
  const asked = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now();
  return Number.isFinite(asked) ? Math.min(Math.max(asked, 0), MAX_DELAY_MS) : Math.min(backoff, MAX_DELAY_MS);
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason when it aborts.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
