import { RegistryError, TimeoutError } from "./errors.ts";
import { Watch } from "./_progress_watch.ts";

/** How long a request may make no progress before it ends with {@link TimeoutError}, by default. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The slowest a body may move, in bytes per second, measured over each `timeout` of waiting, by default. */
export const DEFAULT_MIN_SPEED = 1024;

// A request body handed over whole (a chunk) cannot be watched byte by byte
// where fetch does not stream it: it counts as moving while it could be
// going at 1 MiB per timeout.
const BODY_BYTES_PER_TIMEOUT = 1024 * 1024;

// The pieces a whole request body is streamed in, where it is streamed to be watched.
const WATCHED_PIECE = 64 * 1024;

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

/**
 * The `minSpeed` option in bytes per second; 0 for no floor (silence alone ends a request).
 *
 * @throws {RangeError} for a value that is not a number of 0 or more.
 */
export function resolveMinSpeed(option: number | undefined): number {
  if (option === undefined) return DEFAULT_MIN_SPEED;
  if (typeof option !== "number" || !(option >= 0) || !Number.isFinite(option)) throw new RangeError(`Invalid minSpeed: expected bytes per second (0 or more), got ${String(option)}`);
  return option;
}

/** What {@link timeoutFetch} holds each request to. */
export interface ProgressLimits {
  /** Milliseconds; undefined for none. */
  readonly timeout: number | undefined;
  /** Bytes per second, over each `timeout` of waiting; 0 for none. */
  readonly minSpeed: number;
  /**
   * Send a request body given whole as a stream of pieces (with its
   * `Content-Length`), so that what fetch has taken of it is seen: where
   * fetch streams request bodies and keeps the length (Node's).
   */
  readonly streamWholeBodies: boolean;
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
 * Wraps `fetch` so that every request ends, as documented in docs/transport.md:
 *
 * - No progress for `timeout` ms (no response headers; no body bytes moving
 *   while fetch or the registry has the turn) ends it with {@link TimeoutError}.
 * - A body moving, but slower than `minSpeed` bytes per second over a
 *   stretch of `timeout` ms of waiting on the network, ends the same way:
 *   one byte every 59 s is no progress worth waiting for.
 * - Time spent by the caller between reads, or by a request body's source,
 *   does not count: a slow reader or a slow source is not the registry's fault.
 * - A response body cut short ends with a temporary {@link RegistryError}
 *   naming the request, never with the runtime's bare `TypeError`.
 */
export function timeoutFetch(inner: typeof fetch, limits: ProgressLimits): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const parent = init?.signal ?? undefined;
    const watch = new Watch(limits, parent, (stall) => new TimeoutError({ method, url }, limits.timeout ?? 0, stall));
    const body = init?.body;
    const watchedInit: RequestInit & { duplex?: "half" } = { ...init, signal: watch.signal };
    let sent: { whole: boolean } | undefined;
    if (body instanceof ReadableStream) {
      watchedInit.body = watchRequestBody(body, watch);
    } else if (body instanceof Uint8Array && limits.streamWholeBodies && limits.timeout !== undefined && body.byteLength > WATCHED_PIECE) {
      sent = { whole: false };
      watchedInit.body = watchRequestBody(piecesOf(body, sent), watch);
      watchedInit.duplex = "half";
      // The length goes on the wire as it would for the bytes themselves: no chunked encoding.
      const headers = new Headers(init?.headers);
      headers.set("content-length", String(body.byteLength));
      watchedInit.headers = headers;
    }
    const unwatched = body instanceof Uint8Array && sent === undefined ? body.byteLength : 0;
    watch.waitFor(limits.timeout === undefined ? undefined : limits.timeout + Math.ceil((unwatched / BODY_BYTES_PER_TIMEOUT) * limits.timeout));
    let response: Response;
    try {
      // The race also ends a fetch that does not heed its signal.
      response = await Promise.race([inner(input, watchedInit), watch.expired]);
    } catch (error) {
      throw watch.failure ?? error;
    } finally {
      watch.idle();
    }
    if (sent && !sent.whole && response.ok) {
      // An answer before the body was taken whole cannot say the registry has the bytes.
      await response.body?.cancel().catch(() => {});
      throw new RegistryError({ method, url, detail: "the registry answered before it had read the request body", temporary: true });
    }
    return watchResponseBody(response, watch, { method, url }, parent);
  };
}

// A whole body as pieces over one buffer, no copy; `sent.whole` once fetch took the end.
function piecesOf(bytes: Uint8Array, sent: { whole: boolean }): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        sent.whole = true;
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + WATCHED_PIECE));
      offset += WATCHED_PIECE;
    },
  }, { highWaterMark: 0 });
}

// A streamed body: the clock runs while fetch holds bytes it has not taken
// more of, and stops while the source is being read (a slow source is not
// the registry's fault).
function watchRequestBody(body: ReadableStream<Uint8Array>, watch: Watch): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let handed = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      watch.progress(handed); // fetch asks for more: it took what it had
      watch.idle();
      const { done, value } = await reader.read();
      watch.waitFor();
      handed = done ? 0 : value.byteLength;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

function watchResponseBody(response: Response, watch: Watch, request: { method: string; url: string }, parent: AbortSignal | undefined): Response {
  if (response.body === null || NULL_BODY.has(response.status) || response.type === "opaqueredirect") {
    watch.finish();
    return response;
  }
  watch.progress(0); // the headers came
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      watch.waitFor();
      try {
        const { done, value } = await Promise.race([reader.read(), watch.expired]);
        watch.idle();
        if (done) {
          watch.finish();
          controller.close();
        } else {
          watch.progress(value.byteLength);
          controller.enqueue(value);
        }
      } catch (error) {
        watch.finish();
        if (watch.failure) void reader.cancel(watch.failure).catch(() => {});
        controller.error(watch.failure ?? (parent?.aborted ? parent.reason : cutShort(request, response.status, error)));
      }
    },
    cancel(reason) {
      watch.finish();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // Keep what callers read of the original: where it came from.
  Object.defineProperty(wrapped, "url", { value: response.url, configurable: true });
  Object.defineProperty(wrapped, "redirected", { value: response.redirected });
  watches.set(wrapped, watch);
  return wrapped;
}

const cutBodies = new WeakSet<RegistryError>();

/** Whether `error` is a response body cut short, which reading the same URL again may mend. */
export function isCutShort(error: unknown): boolean {
  return error instanceof RegistryError && cutBodies.has(error);
}

// The runtime's own words for a connection lost mid-body (undici's `TypeError: terminated`), typed.
function cutShort(request: { method: string; url: string }, status: number, cause: unknown): unknown {
  if (cause instanceof RegistryError) return cause;
  const why = cause instanceof Error ? cause.message : String(cause);
  const error = new RegistryError({ ...request, status, temporary: true, cause, detail: `the answer's body was cut short: ${why}` });
  cutBodies.add(error);
  return error;
}
