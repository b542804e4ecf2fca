/**
 * Where an upload stands. Sizes are compressed bytes: the blob's own bytes.
 *
 * @example Printing progress
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer, writeLayer, type UploadProgress } from "streamlayer";
 *
 * const lines: string[] = [];
 * const onProgress = (p: UploadProgress) =>
 *   lines.push(`${p.acknowledged} of ${p.total ?? "unknown"} bytes stored${p.done ? " (done)" : ""}`);
 * const descriptor = await writeLayer("127.0.0.1:5000/demo", new StreamLayer(new Blob([new Uint8Array(1024)]).stream()), { onProgress });
 * assert.equal(lines.at(-1), `${descriptor.size} of ${descriptor.size} bytes stored (done)`);
 * ```
 */
export interface UploadProgress {
  /**
   * Uncompressed bytes read from the layer's source so far, when the layer
   * counts them (its `bytesRead()` capability, as StreamLayer's); else undefined.
   */
  readonly read: number | undefined;
  /** Compressed bytes read from the layer so far. */
  readonly compressed: number;
  /** Bytes the registry has confirmed it holds. */
  readonly acknowledged: number;
  /**
   * The blob's size once known: from the start for a layer made from bytes,
   * only at the end for a streaming layer. Never guessed.
   */
  readonly total: number | undefined;
  /** True on the last report, once the registry holds the whole blob. */
  readonly done: boolean;
}

/** The default least time between two reports, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Calls `onProgress` at a bounded rate: at most once per interval, except for
 * the final report, which always comes. A change inside the interval is
 * reported at the interval's end, so the last state before a pause (a source
 * gone quiet, a registry taking its time) is never left unreported. A
 * callback that throws is ignored rather than breaking the upload.
 */
export class ProgressReporter {
  readonly #callback: ((progress: UploadProgress) => void) | undefined;
  readonly #interval: number;
  readonly #now: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #trailing: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #state: UploadProgress = { read: undefined, compressed: 0, acknowledged: 0, total: undefined, done: false };

  constructor(callback: ((progress: UploadProgress) => void) | undefined, interval = PROGRESS_INTERVAL_MS, now: () => number = Date.now) {
    this.#callback = callback;
    this.#interval = interval;
    this.#now = now;
  }

  /** Records a change, and reports it if the interval has passed. */
  update(change: Partial<Omit<UploadProgress, "done">>): void {
    this.#state = { ...this.#state, ...change };
    if (this.#callback === undefined || this.#stopped) return;
    const wait = this.#interval - (this.#now() - this.#last);
    if (wait > 0) {
      this.#trailing ??= setTimeout(() => {
        this.#trailing = undefined;
        this.#report();
      }, wait);
      return;
    }
    this.#report();
  }

  /** Reports the end: everything acknowledged, the total known. */
  finish(total: number, read?: number): void {
    this.stop();
    this.#state = { read: read ?? this.#state.read, compressed: total, acknowledged: total, total, done: true };
    this.#emit();
  }

  /** Reports nothing more: the upload failed, or has finished. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#trailing);
    this.#trailing = undefined;
  }

  #report(): void {
    clearTimeout(this.#trailing);
    this.#trailing = undefined;
    this.#last = this.#now();
    this.#emit();
  }

  #emit(): void {
    try {
      this.#callback?.(this.#state);
    } catch {
      // A progress display must not break the upload.
    }
  }
}

