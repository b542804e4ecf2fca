import type { Writable } from "node:stream";
import { formatBytes } from "./_format.ts";

/** What the progress display knows: bytes read, compressed, and stored. */
export interface ProgressState {
  read: number;
  compressed: number;
  uploaded: number;
}

/** Where progress goes, and how it is shown. */
export interface ProgressViewOptions {
  /** Whether `out` is a terminal: one line redrawn in place, else plain lines. @default out.isTTY */
  tty?: boolean;
  /** The terminal's width; lines are cut to fit it. @default out.columns, else 80 */
  columns?: number;
  /** The word for what the destination holds so far. @default "stored" */
  stored?: string;
}

const SPINNER = ["|", "/", "-", "\\"];

/**
 * Progress on stderr. On a terminal: one line, cut to the terminal's width so
 * that it never wraps (a wrapped line cannot be redrawn in place), redrawn
 * at most every 100 ms, and left with the totals at the end. Elsewhere (a
 * file, a pipe, CI logs): a plain line every 2 s and one with the totals.
 */
export class ProgressView {
  readonly #out: Writable & { columns?: number };
  readonly #tty: boolean;
  readonly #columns: number | undefined;
  readonly #label: string;
  readonly #stored: string;
  readonly #started = Date.now();
  readonly #state: ProgressState = { read: 0, compressed: 0, uploaded: 0 };
  #lastDraw = 0;
  #drawn = false;
  #total: number | undefined;
  #frame = 0;

  constructor(out: Writable & { isTTY?: boolean; columns?: number }, label: string, options: ProgressViewOptions = {}) {
    this.#out = out;
    this.#label = label;
    this.#stored = options.stored ?? "stored";
    this.#tty = options.tty ?? out.isTTY === true;
    this.#columns = options.columns;
  }

  /** The inputs' size when known (files): the line then shows how much was read. */
  set total(total: number | undefined) {
    this.#total = total;
  }

  /** Records new figures and redraws if it is time. */
  update(change: Partial<ProgressState>): void {
    Object.assign(this.#state, change);
    const now = Date.now();
    if (now - this.#lastDraw < (this.#tty ? 100 : 2000)) return;
    this.#lastDraw = now;
    this.#running();
  }

  /** Ends the line after a failure, without drawing again. */
  abandon(): void {
    if (this.#tty && this.#drawn) this.#out.write("\n");
  }

  /** Shows the totals and ends the line. */
  finish(): void {
    const { read, compressed, uploaded } = this.#state;
    const seconds = (Date.now() - this.#started) / 1000;
    this.#write("", `: done: read ${formatBytes(read)}, gz ${formatBytes(compressed)}, ${this.#stored} ${formatBytes(uploaded)}, ${seconds.toFixed(1)} s, ${this.#rate()}`);
    if (this.#tty) this.#out.write("\n");
  }

  #running(): void {
    const { read, compressed, uploaded } = this.#state;
    const gauge = this.#gauge();
    this.#write(gauge === "" ? "" : `${gauge} `, `: read ${formatBytes(read)}, gz ${formatBytes(compressed)}, ${this.#stored} ${formatBytes(uploaded)}, ${this.#rate()}`);
  }

  // The label (a path, which may be long) gives way first: the figures are the point.
  #write(prefix: string, figures: string): void {
    if (!this.#tty) {
      this.#out.write(`${prefix}${this.#label}${figures}\n`);
    } else {
      const width = this.#width();
      const room = width - prefix.length - figures.length;
      const label = this.#label.length <= room ? this.#label : room >= 8 ? `...${this.#label.slice(-(room - 3))}` : "";
      this.#out.write(`\r\x1b[2K${fit(`${prefix}${label}${figures}`, width)}`);
    }
    this.#drawn = true;
  }

  // One column short of the width: a character in the last column makes some terminals wrap at once.
  #width(): number {
    const columns = this.#columns ?? this.#out.columns;
    return Math.max(20, (columns !== undefined && columns > 0 ? columns : 80) - 1);
  }

  #rate(): string {
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001);
    return `${formatBytes(this.#state.read / seconds)}/s`;
  }

  // A stream's length is unknown until its end: a spinner then shows that
  // work goes on, rather than inventing a percentage.
  #gauge(): string {
    if (this.#total === undefined || this.#total === 0) return this.#tty ? (SPINNER[this.#frame++ % SPINNER.length] ?? "|") : "";
    const ratio = Math.min(1, this.#state.read / this.#total);
    const filled = Math.floor(ratio * 10);
    return `[${"#".repeat(filled)}${"-".repeat(10 - filled)}] ${Math.floor(ratio * 100)}%`;
  }
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 3)}...`;
}
