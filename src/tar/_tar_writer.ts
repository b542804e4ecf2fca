import type { TarHeader } from "modern-tar";

const BLOCK = 512;
/** What the output holds before it waits for its reader: small writes are gathered into chunks this big. */
const CHUNK = 64 * 1024;
const TYPEFLAGS: Readonly<Record<string, string>> = {
  file: "0",
  link: "1",
  symlink: "2",
  "character-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};
const encoder = new TextEncoder();

/**
 * A streaming tar writer with backpressure of its own: headers and small
 * bodies are gathered into 64 KiB chunks, and `add` waits while the reader
 * has one chunk it has not taken, so memory stays at about one chunk (and
 * the reader's queue holds a few chunks, not thousands of 512-byte ones,
 * which Node's stream queues dequeue in time proportional to their length).
 *
 * USTAR headers, with a PAX record where USTAR cannot say it (a name or link
 * longer than its field, sizes from 8 GiB, large ids, long owner names) and
 * for the header's own PAX records (extended attributes, sub-second times).
 */
export class TarWriter {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #wake: (() => void) | undefined;
  #stopped: { reason: unknown } | undefined;

  constructor() {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#resume(),
        cancel: (reason) => {
          this.#stopped = { reason };
          this.#resume();
        },
      },
      { highWaterMark: 1 },
    );
  }

  /** Writes an entry: its header, then `body` (exactly `header.size` bytes) when it has one. */
  async add(header: TarHeader, body?: ReadableStream<Uint8Array>): Promise<void> {
    for (const block of headerBlocks(header)) await this.#write(block);
    const size = hasBody(header) ? header.size : 0;
    if (size === 0) {
      await body?.cancel();
      return;
    }
    if (body === undefined) throw new RangeError(`Tar entry ${header.name}: ${size} bytes announced and no body`);
    let written = 0;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        written += value.length;
        if (written > size) throw new RangeError(`Tar entry ${header.name}: body longer than its ${size} bytes`);
        await this.#write(value);
      }
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      throw error;
    }
    if (written !== size) throw new RangeError(`Tar entry ${header.name}: body of ${written} bytes, ${size} announced`);
    const padding = -size & (BLOCK - 1);
    if (padding > 0) await this.#write(new Uint8Array(padding));
  }

  /** Writes the end of the archive (two zero blocks) and closes the stream. */
  async finish(): Promise<void> {
    await this.#write(new Uint8Array(2 * BLOCK));
    await this.#flush();
    this.#controller.close();
  }

  /** Ends the stream with `error`. */
  fail(error: unknown): void {
    if (this.#stopped === undefined) {
      this.#stopped = { reason: error };
      this.#controller.error(error);
    }
    this.#resume();
  }

  async #write(bytes: Uint8Array): Promise<void> {
    this.#throwIfStopped();
    if (bytes.length >= CHUNK) {
      await this.#flush();
      await this.#enqueue(bytes);
      return;
    }
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= CHUNK) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunk = new Uint8Array(this.#pendingBytes);
    let offset = 0;
    for (const part of this.#pending) {
      chunk.set(part, offset);
      offset += part.length;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#enqueue(chunk);
  }

  async #enqueue(chunk: Uint8Array): Promise<void> {
    this.#throwIfStopped();
    this.#controller.enqueue(chunk);
    while ((this.#controller.desiredSize ?? 0) <= 0) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#throwIfStopped();
    }
  }

  #throwIfStopped(): void {
    if (this.#stopped) throw this.#stopped.reason;
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function hasBody(header: TarHeader): boolean {
  return (header.type ?? "file") === "file";
}

/** The header blocks of an entry: a PAX header and its records when needed, then the USTAR header. */
export function headerBlocks(header: TarHeader): Uint8Array[] {
  const pax: Record<string, string> = { ...(header.pax ?? {}) };
  const size = hasBody(header) ? header.size : 0;
  const name = ustarName(header.name);
  if (name === undefined) pax.path = header.name;
  const linkname = header.linkname ?? "";
  if (encoder.encode(linkname).length > 100) pax.linkpath = linkname;
  if (size > 0o77777777777) pax.size = String(size);
  for (const [key, value] of [["uid", header.uid], ["gid", header.gid]] as const) if (value !== undefined && value > 0o7777777) pax[key] = String(value);
  for (const [key, value] of [["uname", header.uname], ["gname", header.gname]] as const) if (value !== undefined && encoder.encode(value).length > 32) pax[key] = value;
  const seconds = Math.floor((header.mtime?.getTime() ?? 0) / 1000);
  if (seconds < 0 || seconds > 0o77777777777) pax.mtime = String(seconds);

  const ustar = new Uint8Array(BLOCK);
  writeString(ustar, 0, 100, name?.name ?? truncated(header.name, 100));
  writeOctal(ustar, 100, 8, (header.mode ?? (header.type === "directory" ? 0o755 : 0o644)) & 0o7777777);
  writeOctal(ustar, 108, 8, fits(header.uid ?? 0, 0o7777777));
  writeOctal(ustar, 116, 8, fits(header.gid ?? 0, 0o7777777));
  writeOctal(ustar, 124, 12, fits(size, 0o77777777777));
  writeOctal(ustar, 136, 12, fits(seconds, 0o77777777777));
  writeString(ustar, 156, 1, TYPEFLAGS[header.type ?? "file"] ?? "0");
  writeString(ustar, 157, 100, truncated(linkname, 100));
  writeString(ustar, 257, 6, "ustar\0");
  writeString(ustar, 263, 2, "00");
  writeString(ustar, 265, 32, truncated(header.uname ?? "", 32));
  writeString(ustar, 297, 32, truncated(header.gname ?? "", 32));
  writeOctal(ustar, 329, 8, 0);
  writeOctal(ustar, 337, 8, 0);
  writeString(ustar, 345, 155, name?.prefix ?? "");
  checksum(ustar);
  if (Object.keys(pax).length === 0) return [ustar];

  const records = encoder.encode(Object.entries(pax).map(([key, value]) => paxRecord(key, value)).join(""));
  const paxHeader = new Uint8Array(BLOCK);
  writeString(paxHeader, 0, 100, truncated(`PaxHeaders/${header.name.replace(/\/$/, "").split("/").pop() ?? ""}`, 100));
  writeOctal(paxHeader, 100, 8, 0o644);
  writeOctal(paxHeader, 108, 8, 0);
  writeOctal(paxHeader, 116, 8, 0);
  writeOctal(paxHeader, 124, 12, records.length);
  writeOctal(paxHeader, 136, 12, fits(seconds, 0o77777777777));
  writeString(paxHeader, 156, 1, "x");
  writeString(paxHeader, 257, 6, "ustar\0");
  writeString(paxHeader, 263, 2, "00");
  checksum(paxHeader);
  const padded = new Uint8Array(records.length + (-records.length & (BLOCK - 1)));
  padded.set(records);
  return [paxHeader, padded, ustar];
}

/** The name in USTAR's name and prefix fields, or undefined when it fits neither way. */
function ustarName(path: string): { name: string; prefix: string } | undefined {
  const length = encoder.encode(path).length;
  if (length <= 100) return { name: path, prefix: "" };
  for (let slash = path.indexOf("/"); slash > 0; slash = path.indexOf("/", slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (encoder.encode(prefix).length <= 155 && name !== "" && encoder.encode(name).length <= 100) return { name, prefix };
  }
  return undefined;
}

// A PAX record counts its own length, digits included.
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  const digits = String(bodyLength).length;
  const length = bodyLength + digits + (String(bodyLength + digits).length > digits ? 1 : 0);
  return `${length}${body}`;
}

function fits(value: number, max: number): number {
  return value >= 0 && value <= max ? value : 0;
}

// The start of `text` that fits `bytes` UTF-8 bytes; the whole name is in a PAX record then.
function truncated(text: string, bytes: number): string {
  let result = text;
  while (encoder.encode(result).length > bytes) result = result.slice(0, -1);
  return result;
}

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  block.set(encoder.encode(text).subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length - 1, Math.floor(value).toString(8).padStart(length - 1, "0"));
}

function checksum(block: Uint8Array): void {
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
}
