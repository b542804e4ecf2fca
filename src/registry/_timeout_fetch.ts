import { TimeoutError } from "./errors.ts";

/** How long a request may make no progress before it ends with {@link TimeoutError}, by default. */
export const DEFAULT_TIMEOUT_MS = 60_000;

// A request body cannot be watched byte by byte (fetch does not say what it
// has sent), so it counts as moving while it could be going at 1 MiB per timeout.
const BODY_BYTES_PER_TIMEOUT = 1024 * 1024;

// Statuses whose Response cannot be rebuilt with a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The `timeout` option as milliseconds, or undefined for none.
 *
 * @throws {RangeError} for a value that is neither `false` nor a positive number.
 */
export function resolveTimeout(option: number | false | undefined): number | undefined {
  if (option === false) return undefined;
  if (option === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof option !== "number" || !(option > 0)) throw new RangeError(`Invalid timeout: expected a positive number of milliseconds or false, got ${String(option)}`);
  return option;
}

const watches = new WeakMap<Response, Watch>();

/**
 * Gives the rest of a response's body `timeout` in all, not per read: for a
 * body read whole (an error, a token, a manifest), which a registry could
 * otherwise trickle a byte at a time for ever. No-op for a response that did
 * not come through {@link timeoutFetch}.
 */
export function readWholeWithinTimeout(response: Response): void {
  watches.get(response)?.fix();
}

/**
 * Wraps `fetch` so that a request that makes no progress for `timeout` ms is
 * aborted and ends with {@link TimeoutError}: waiting for the response
 * headers, and each read of the response body. Time spent by the caller
 * between reads does not count: a body read slowly because its reader is slow
 * is not the registry's fault.
 */
export function timeoutFetch(inner: typeof fetch, timeout: number | undefined): typeof fetch {
  if (timeout === undefined) return inner;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const watch = new Watch(timeout, init?.signal ?? undefined, () => new TimeoutError({ method, url }, timeout));
    const body = init?.body;
    const watchedInit: RequestInit = { ...init, signal: watch.signal };
    if (body instanceof ReadableStream) watchedInit.body = watchRequestBody(body, watch);
    const extra = body instanceof Uint8Array ? Math.ceil((body.byteLength / BODY_BYTES_PER_TIMEOUT) * timeout) : 0;
    watch.arm(timeout + extra);
    let response: Response;
    try {
      // The race also ends a fetch that does not heed its signal.
      response = await Promise.race([inner(input, watchedInit), watch.expired]);
    } catch (error) {
      throw watch.failure ?? error;
    } finally {
      watch.disarm();
    }
    return watchResponseBody(response, watch);
  };
}

/** A countdown that aborts one request; re-armed at each sign of progress. */
class Watch {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #timeout: number;
  readonly #makeError: () => TimeoutError;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expire: ((error: TimeoutError) => void) | undefined;
  #fixed = false;
  /** The error, once the countdown ran out. */
  failure: TimeoutError | undefined;
  /** Rejects with the error when the countdown runs out. */
  readonly expired: Promise<never>;

  constructor(timeout: number, parent: AbortSignal | undefined, makeError: () => TimeoutError) {
    this.#timeout = timeout;
    this.#makeError = makeError;
    this.signal = parent ? either(parent, this.#controller.signal) : this.#controller.signal;
    this.expired = new Promise<never>((_, reject) => (this.#expire = reject));
    this.expired.catch(() => {});
  }

  arm(ms = this.#timeout): void {
    if (this.#fixed) return;
    this.disarm();
    if (this.failure) return;
    this.#timer = setTimeout(() => {
      this.failure = this.#makeError();
      this.#controller.abort(this.failure);
      this.#expire?.(this.failure);
    }, ms);
  }

  disarm(): void {
    if (this.#fixed) return;
    this.#clear();
  }

  /** One countdown for all that is left, which progress no longer restarts. */
  fix(): void {
    if (this.#fixed) return;
    this.arm();
    this.#fixed = true;
  }

  /** The request is over: no countdown, whatever the mode. */
  finish(): void {
    this.#fixed = false;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

// A streamed body: the countdown runs while fetch holds bytes it has not
// taken more of, and stops while the source is being read (a slow source is
// not the registry's fault).
function watchRequestBody(body: ReadableStream<Uint8Array>, watch: Watch): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      watch.disarm();
      const { done, value } = await reader.read();
      watch.arm();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

function watchResponseBody(response: Response, watch: Watch): Response {
  if (response.body === null || NULL_BODY.has(response.status) || response.type === "opaqueredirect") return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      watch.arm();
      try {
        const { done, value } = await Promise.race([reader.read(), watch.expired]);
        watch.disarm();
        if (done) {
          watch.finish();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        watch.finish();
        if (watch.failure) void reader.cancel(watch.failure).catch(() => {});
        controller.error(watch.failure ?? error);
      }
    },
    cancel(reason) {
      watch.finish();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // Keep what callers read of the original: where it came from.
  Object.defineProperty(wrapped, "url", { value: response.url });
  Object.defineProperty(wrapped, "redirected", { value: response.redirected });
  watches.set(wrapped, watch);
  return wrapped;
}

// AbortSignal.any where the runtime has it (Node 20.3, Chromium 116, Deno, workerd), else by hand.
function either(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any([a, b]);
  const controller = new AbortController();
  for (const signal of [a, b]) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
