import type { ZStream } from "pako";
import { isNodeLike, loadZlib } from "../compress/_runtime.ts";
import { InvalidLayerSourceError } from "./errors.ts";
import { zlibGunzipStream, type ZlibGunzipModule } from "./_zlib_gunzip_stream.ts";

type Pako = typeof import("pako");

/** Decompressed bytes are written into pieces of this size, handed out as they fill (or as the input runs out). */
const OUTPUT_SIZE = 64 * 1024;
/** zlib's windowBits for gzip only, with the largest window: 15, plus 16 for the gzip wrapper. */
const GZIP_ONLY = 16 + 15;

/**
 * A gzip decompressor that reads gzip as Go's `compress/gzip` does (what
 * containerd and Docker pull layers with), the same in every runtime: every
 * member of a multi-member gzip (what `cat a.gz b.gz` or `pigz
 * --independent` make), each member's CRC-32 and length checked, and **no
 * byte after the last member**, zero padding included (gzip(1) skips zeros
 * with a warning; Go fails with "invalid header").
 *
 * zlib in JavaScript (pako's inflate, loaded on first use), one member at a
 * time: the platform's `DecompressionStream` cannot say where a member ends,
 * so it can neither go on past the first member (Chromium, Deno) nor tell
 * trailing bytes from a member (Node skips zeros). In Node, its own zlib
 * (faster), with the checks that make it answer as Go does
 * (`_zlib_gunzip_stream.ts`).
 *
 * Fails with {@link InvalidLayerSourceError}: `"trailing-bytes"` for bytes
 * after the last member, `"corrupt-gzip"` for the rest (not gzip, corrupt,
 * cut short, no bytes at all). Its message says what is wrong with "the gzip
 * data", for the caller to say where the data came from.
 */
export async function gunzipStream(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  const zlib = isNodeLike() ? ((await loadZlib()) as Partial<ZlibGunzipModule> | undefined) : undefined;
  if (typeof zlib?.createGunzip === "function") return zlibGunzipStream(zlib as ZlibGunzipModule);
  return pakoGunzipStream();
}

/** {@link gunzipStream} on pako's inflate, in every runtime; exported so that Node's tests check it too. */
export async function pakoGunzipStream(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  const members = new GzipMembers(await import("pako"));
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      members.push(chunk, (bytes) => controller.enqueue(bytes));
    },
    flush() {
      members.end();
    },
  });
}

/** zlib's inflate over a run of gzip members, with Go's rules for what lies between and after them. */
class GzipMembers {
  readonly #pako: Pako;
  readonly #strm: ZStream;
  /** Members begun so far. */
  #members = 0;
  /** At a member's end (or before the first): the next byte must begin a member. */
  #between = true;
  /** Bytes of input in the chunks before the current one. */
  #offset = 0;
  #memberStart = 0;
  /** How much of the output piece has been handed out. */
  #emitted = 0;

  constructor(pako: Pako) {
    this.#pako = pako;
    this.#strm = new pako.ZStream();
    if (pako.zlibInflateInit2(this.#strm, GZIP_ONLY) !== pako.Z_OK) throw new Error("Cannot start zlib's inflate");
    this.#newOutput();
  }

  push(chunk: Uint8Array, emit: (bytes: Uint8Array) => void): void {
    const { Z_STREAM_END, Z_OK, Z_BUF_ERROR, Z_NO_FLUSH } = this.#pako;
    const strm = this.#strm;
    strm.input = chunk;
    strm.next_in = 0;
    strm.avail_in = chunk.length;
    for (;;) {
      if (this.#between) {
        if (strm.avail_in === 0) break;
        this.#beginMember(chunk);
      }
      const status = this.#pako.zlibInflate(strm, Z_NO_FLUSH);
      if (status === Z_STREAM_END) {
        this.#emit(emit);
        this.#between = true;
        continue;
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) throw this.#failure(chunk);
      if (strm.avail_out === 0) {
        this.#emit(emit);
        this.#newOutput();
        continue; // zlib may hold more output for no more input (a long match)
      }
      if (strm.avail_in > 0 && status === Z_OK) continue;
      this.#emit(emit);
      break;
    }
    this.#offset += chunk.length;
  }

  end(): void {
    if (this.#members === 0) throw new InvalidLayerSourceError("corrupt-gzip", "the gzip data cannot be decompressed: no bytes at all");
    if (!this.#between) {
      const where = this.#members === 1 ? "its first member" : `member ${this.#members} (begun at byte ${this.#memberStart})`;
      throw new InvalidLayerSourceError("corrupt-gzip", `the gzip data cannot be decompressed: it ends inside ${where} (cut short)`);
    }
  }

  /** Past a member's end, anything but the start of another member is trailing bytes. */
  #beginMember(chunk: Uint8Array): void {
    const at = this.#strm.next_in;
    if (this.#members > 0) {
      if (chunk[at] !== 0x1f) throw trailingBytes(this.#offset + at, chunk.subarray(at, at + 8));
      this.#pako.zlibInflateReset(this.#strm);
    }
    this.#members++;
    this.#memberStart = this.#offset + at;
    this.#between = false;
  }

  #failure(chunk: Uint8Array): InvalidLayerSourceError {
    const reason = this.#strm.msg || "zlib error";
    // A second "member" that does not start with gzip's magic: bytes after the last member that happen to start with 1f.
    if (this.#members > 1 && reason === "incorrect header check") {
      const at = this.#memberStart - this.#offset;
      return trailingBytes(this.#memberStart, at >= 0 ? chunk.subarray(at, at + 8) : new Uint8Array(0));
    }
    const which = this.#members === 1 ? "" : `member ${this.#members} (at byte ${this.#memberStart}): `;
    return new InvalidLayerSourceError("corrupt-gzip", `the gzip data cannot be decompressed: ${which}${reason}`);
  }

  #emit(emit: (bytes: Uint8Array) => void): void {
    const strm = this.#strm;
    if (strm.next_out > this.#emitted) emit(strm.output.subarray(this.#emitted, strm.next_out));
    this.#emitted = strm.next_out;
  }

  #newOutput(): void {
    const strm = this.#strm;
    strm.output = new Uint8Array(OUTPUT_SIZE);
    strm.next_out = 0;
    strm.avail_out = OUTPUT_SIZE;
    this.#emitted = 0;
  }
}

function trailingBytes(at: number, head: Uint8Array): InvalidLayerSourceError {
  const shown = head.length === 0 ? "" : `: ${[...head].map((byte) => byte.toString(16).padStart(2, "0")).join(" ")}`;
  const zeros = head.length > 0 && head.every((byte) => byte === 0) ? ", zeros: padding" : "";
  return new InvalidLayerSourceError(
    "trailing-bytes",
    `the gzip data has bytes after the end of its last member (at byte ${at}${shown}${zeros}): ` +
      `Go's gzip reader, and so containerd and Docker, fail on them (gzip -d skips zeros with a warning); cut the file at byte ${at}`,
  );
}
