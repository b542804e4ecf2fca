import type { Writable } from "node:stream";
import { formatBytes } from "./_format.ts";

/** What the progress display knows: bytes read, compressed, and stored. */
export interface ProgressState {
  read: number;
  compressed: number;
  uploaded: number;
}

/**
 * Progress on stderr: one bar redrawn in place on a terminal, or plain lines
 * at a slow pace when stderr is a file or a pipe (logs, CI).
 */
export class ProgressView {
  readonly #out: Writable;
  readonly #tty: boolean;
  readonly #label: string;
  readonly #started = Date.now();
  readonly #state: ProgressState = { read: 0, compressed: 0, uploaded: 0 };
  #lastDraw = Date.now();
  #drawn = false;

  readonly #stored: string;
  #total: number | undefined;
  #frame = 0;

  constructor(out: Writable & { isTTY?: boolean }, label: string, stored = "stored", tty = out.isTTY === true) {
    this.#out = out;
    this.#stored = stored;
    this.#tty = tty;
    this.#label = label;
  }

  /** The input's size when known (a file): the bar then shows how much was read. */
  set total(total: number | undefined) {
    this.#total = total;
  }

  /** Records new figures and redraws if it is time. */
  update(change: Partial<ProgressState>): void {
    Object.assign(this.#state, change);
    const now = Date.now();
    if (now - this.#lastDraw < (this.#tty ? 100 : 2000)) return;
    this.#lastDraw = now;
    this.#draw();
  }

  /** Ends the bar's line after a failure, without drawing again. */
  abandon(): void {
    if (this.#tty && this.#drawn) this.#out.write("\n");
  }

  /** Draws the final figures and ends the line. */
  finish(): void {
    this.#draw();
    if (this.#tty) this.#out.write("\n");
  }

  #draw(): void {
    const { read, compressed, uploaded } = this.#state;
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001);
    const rate = `${formatBytes(read / seconds)}/s`;
    const text = `${this.#label}: read ${formatBytes(read)}, compressed ${formatBytes(compressed)}, ${this.#stored} ${formatBytes(uploaded)}, ${rate}`;
    if (this.#tty) {
      this.#out.write(`\r\x1b[2K${this.#bar(read)} ${text}`);
    } else {
      this.#out.write(`${text}\n`);
    }
    this.#drawn = true;
  }

  // A stream's length is unknown until its end: then the bar only shows that
  // work goes on, rather than inventing a percentage.
  #bar(read: number): string {
    const width = 20;
    if (this.#total === undefined || this.#total === 0) {
      const position = this.#frame++ % width;
      return `[${" ".repeat(position)}=${" ".repeat(width - position - 1)}]`;
    }
    const filled = Math.min(width, Math.floor((read / this.#total) * width));
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.min(100, Math.floor((read / this.#total) * 100))}%`;
  }
}
