import { readBounded, MAX_ERROR_BODY } from "./_bounded_body.ts";
import { RegistryError, TimeoutError } from "./errors.ts";
import { sleep } from "./_retry.ts";
import type { HttpRequest, RoundTrip } from "./_round_trip.ts";

/** The statuses that say "not now": asked again. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/** How many times an idempotent request is sent at most. */
export const MAX_ATTEMPTS = 5;
/** The first backoff; each next one doubles, with jitter. */
const BASE_DELAY_MS = 250;
/** What the waits of one request may add up to when the transport has no timeout. */
const BUDGET_WITHOUT_TIMEOUT_MS = 60_000;

/** How a {@link retryRoundTrip} waits. */
export interface RetryPolicy {
  /** The transport's timeout: all the attempts of one request, and the waits between them, end within it. */
  readonly timeout: number | undefined;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Sends an idempotent request again (GET, HEAD, and what the caller marks
 * `idempotent`: a manifest PUT, the token server's GET and POST) when the
 * answer is 408, 429, 500, 502, 503 or 504, or when no answer came (a
 * temporary {@link RegistryError} with no status: a refused or dropped
 * connection). Waits 250 ms, 500 ms, 1 s, … with jitter (each between half
 * and all of it), or what `Retry-After` asks; at most {@link MAX_ATTEMPTS}
 * attempts, and never past the timeout counted from the first: a wait that
 * would end after it is not begun, and the last answer (or failure) stands.
 * A timeout is not retried (a registry that stopped answering is not asked
 * again and again), nor a streamed body (it cannot be sent twice). An abort
 * stops the waiting at once.
 */
export function retryRoundTrip(inner: RoundTrip, policy: RetryPolicy): RoundTrip {
  const random = policy.random ?? Math.random;
  const now = policy.now ?? Date.now;
  const budget = policy.timeout ?? BUDGET_WITHOUT_TIMEOUT_MS;
  return async (request) => {
    if (!isIdempotent(request)) return inner(request);
    const started = now();
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await inner(request);
        if (!RETRY_STATUSES.has(response.status)) return response;
      } catch (error) {
        if (!isRetryableFailure(error) || request.signal?.aborted) throw error;
        failure = error;
      }
      const left = budget - (now() - started);
      const wait = attempt < MAX_ATTEMPTS ? waitBefore(attempt, response?.headers.get("retry-after") ?? null, random, now) : undefined;
      if (wait === undefined || wait > left) {
        if (response) return response;
        throw failure;
      }
      if (response) await dropBody(response);
      await sleep(wait, request.signal);
    }
  };
}

function isIdempotent(request: HttpRequest): boolean {
  if (request.body instanceof ReadableStream) return false;
  return request.idempotent ?? (request.method === "GET" || request.method === "HEAD");
}

function isRetryableFailure(error: unknown): boolean {
  return error instanceof RegistryError && error.temporary && error.status === undefined && !(error instanceof TimeoutError);
}

/** The wait before attempt `attempt + 1`: `Retry-After` (seconds or a date) when given, else a jittered doubling. */
function waitBefore(attempt: number, retryAfter: string | null, random: () => number, now: () => number): number {
  if (retryAfter !== null) {
    const seconds = Number(retryAfter.trim());
    const asked = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now();
    if (Number.isFinite(asked)) return Math.max(asked, 0);
  }
  const backoff = BASE_DELAY_MS * 2 ** (attempt - 1);
  return Math.round(backoff / 2 + (random() * backoff) / 2);
}

// An answer that is not kept: read to its end when small (the connection is
// reused), except that a body which stops moving ends the request, as it would have.
async function dropBody(response: Response): Promise<void> {
  try {
    await readBounded(response, MAX_ERROR_BODY);
  } catch (error) {
    if (error instanceof TimeoutError) throw error;
  }
}
