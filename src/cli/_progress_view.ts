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

  constructor(out: Writable & { isTTY?: boolean }, label: string, stored = "stored", tty = out.isTTY === true) {
    this.#out = out;
    this.#stored = stored;
    this.#tty = tty;
    this.#label = label;
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
      const width = 24;
      const filled = compressed === 0 ? 0 : Math.min(width, Math.round((uploaded / compressed) * width));
      this.#out.write(`\r\x1b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}`);
    } else {
      this.#out.write(`${text}\n`);
    }
    this.#drawn = true;
  }
}
