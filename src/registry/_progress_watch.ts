import type { TimeoutError } from "./errors.ts";

/** What a {@link Watch} holds a request to. */
export interface WatchLimits {
  /** Milliseconds; undefined for none. */
  readonly timeout: number | undefined;
  /** Bytes per second, over each `timeout` of waiting; 0 for none. */
  readonly minSpeed: number;
}

/**
 * A countdown that aborts one request when the network owes it progress for
 * too long, or moves too slowly. The request is either waiting (the registry
 * or fetch has the turn: the clock runs) or idle (the caller or the source
 * has it: the clock stops).
 */
export class Watch {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #timeout: number | undefined;
  readonly #floorBytes: number;
  readonly #makeError: (stall?: string) => TimeoutError;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expire: ((error: TimeoutError) => void) | undefined;
  /** When the current stretch of waiting began; undefined while idle. */
  #since: number | undefined;
  /** Waiting since the last bytes moved. */
  #silent = 0;
  /** Waiting, and bytes moved, in the current window of `timeout`. */
  #windowWaited = 0;
  #windowBytes = 0;
  /** A fixed deadline, which neither idling nor progress moves. */
  #deadline: number | undefined;
  #finished = false;
  /** The error, once the countdown ran out. */
  failure: TimeoutError | undefined;
  /** Rejects with the error when the countdown runs out. */
  readonly expired: Promise<never>;

  constructor(limits: WatchLimits, parent: AbortSignal | undefined, makeError: (stall?: string) => TimeoutError) {
    this.#timeout = limits.timeout;
    this.#floorBytes = limits.timeout === undefined ? 0 : (limits.minSpeed * limits.timeout) / 1000;
    this.#makeError = makeError;
    this.signal = parent ? either(parent, this.#controller.signal) : this.#controller.signal;
    this.expired = new Promise<never>((_, reject) => (this.#expire = reject));
    this.expired.catch(() => {});
  }

  /** The network has the turn. `first` is a longer first silence (a whole body sent unseen). */
  waitFor(first?: number): void {
    if (this.#timeout === undefined || this.#finished || this.failure) return;
    this.#since ??= Date.now();
    if (first !== undefined && first > this.#timeout) this.#deadline ??= Date.now() + first;
    this.#schedule();
  }

  /** The caller or the source has the turn. */
  idle(): void {
    if (this.#since !== undefined) this.#account(Date.now());
    this.#since = undefined;
    if (this.#fixed && !this.#finished) return;
    this.#deadline = undefined;
    this.#clear();
  }

  /** Bytes moved (a body piece read, or taken by fetch). */
  progress(bytes: number): void {
    if (this.#since !== undefined) {
      const now = Date.now();
      this.#account(now);
      this.#since = now;
    }
    this.#windowBytes += bytes;
    this.#silent = 0;
  }

  #fixed = false;

  /** One countdown for all that is left, which neither progress nor idling moves. */
  fix(): void {
    if (this.#timeout === undefined || this.#fixed || this.#finished) return;
    this.#fixed = true;
    this.#deadline = Date.now() + this.#timeout;
    this.#schedule();
  }

  /** The request is over: no countdown, whatever the mode. */
  finish(): void {
    this.#finished = true;
    this.#clear();
  }

  #account(now: number): void {
    const waited = now - (this.#since ?? now);
    this.#silent += waited;
    this.#windowWaited += waited;
  }

  #schedule(): void {
    this.#clear();
    const timeout = this.#timeout;
    if (timeout === undefined) return;
    const now = Date.now();
    const pending = this.#since === undefined ? 0 : now - this.#since;
    let delay = this.#deadline !== undefined ? this.#deadline - now : Number.POSITIVE_INFINITY;
    if (!this.#fixed && this.#since !== undefined && this.#deadline === undefined) {
      delay = Math.min(timeout - this.#silent - pending, timeout - this.#windowWaited - pending);
    }
    if (!Number.isFinite(delay)) return;
    this.#timer = setTimeout(() => this.#check(), Math.max(delay, 0));
  }

  #check(): void {
    const timeout = this.#timeout ?? 0;
    const now = Date.now();
    if (this.#deadline !== undefined) {
      if (now >= this.#deadline) return this.#fail();
      return this.#schedule();
    }
    if (this.#since === undefined) return;
    this.#account(now);
    this.#since = now;
    if (this.#silent >= timeout) return this.#fail();
    if (this.#windowWaited >= timeout) {
      if (this.#windowBytes < this.#floorBytes) {
        return this.#fail(`moved ${this.#windowBytes} bytes in ${timeout} ms of waiting, under the floor of ${Math.ceil((this.#floorBytes * 1000) / timeout)} bytes/s`);
      }
      this.#windowWaited = 0;
      this.#windowBytes = 0;
    }
    this.#schedule();
  }

  #fail(stall?: string): void {
    if (this.failure) return;
    this.failure = this.#makeError(stall);
    this.#controller.abort(this.failure);
    this.#expire?.(this.failure);
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
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
