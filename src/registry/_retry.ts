/** How many times a chunk is sent at most before the upload gives up. */
export const MAX_CHUNK_ATTEMPTS = 5;

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 30_000;

/** The most one chunk waits in all between its attempts, `Retry-After` included. */
export const MAX_TOTAL_WAIT_MS = 60_000;

/**
 * How long to wait before attempt `attempt + 1`: the registry's `Retry-After`
 * (seconds or an HTTP date) when it sent one, else an exponential backoff
 * from 200 ms; never more than 30 s.
 */
export function retryDelay(attempt: number, retryAfter: string | null, now: () => number = Date.now): number {
  return Math.min(askedDelay(attempt, retryAfter, now), MAX_DELAY_MS);
}

function askedDelay(attempt: number, retryAfter: string | null, now: () => number): number {
  const backoff = BASE_DELAY_MS * 2 ** attempt;
  if (retryAfter === null) return backoff;
  const seconds = Number(retryAfter.trim());
  const asked = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now();
  return Number.isFinite(asked) ? Math.max(asked, 0) : backoff;
}

/**
 * The waits of one retried operation, summed: a registry that asks for more
 * than is left of {@link MAX_TOTAL_WAIT_MS} (`Retry-After: 999999`) is taken
 * at its word, and the operation gives up at once instead of waiting in vain.
 */
export class RetryWaits {
  #spent = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The wait before attempt `attempt + 1`, or undefined when the budget cannot cover what the registry asks. */
  next(attempt: number, retryAfter: string | null): number | undefined {
    const left = MAX_TOTAL_WAIT_MS - this.#spent;
    const asked = askedDelay(attempt, retryAfter, this.#now);
    if (retryAfter !== null && asked > left) return undefined;
    const wait = Math.min(asked, MAX_DELAY_MS, left);
    this.#spent += wait;
    return wait;
  }
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
