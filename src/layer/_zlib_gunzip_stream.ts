import { InvalidLayerSourceError } from "./errors.ts";

/** The part of `node:zlib` this file uses, typed without Node's types. */
export interface ZlibGunzipModule {
  createGunzip(options: { chunkSize?: number }): ZlibGunzip;
}

interface ZlibGunzip {
  /** Input bytes zlib has consumed: short of what was written when it stopped at zero bytes after a member. */
  readonly bytesWritten: number;
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  destroy(): void;
  on(event: "data", listener: (chunk: Uint8Array) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  once(event: "end", listener: () => void): this;
}

const OUTPUT_CHUNK_SIZE = 64 * 1024;

/**
 * The gunzip of `gunzipStream` on Node's native zlib (two to three times
 * pako's speed there), with the same outcomes as Go's gzip reader, which
 * Node's zlib alone does not give: it reads every member and refuses other
 * bytes after one, but stops silently at a zero byte after a member (and
 * drops what follows). So the input must all have been consumed at the end
 * (`bytesWritten`), and the first member must begin with gzip's magic, so
 * that a later "incorrect header check" can only be bytes after a member.
 *
 * Backpressure as for zlib's gzip: each `transform` waits until zlib has
 * taken the chunk. zlib's events are outside the stream's promises: after a
 * failure or a cancel, zlib is destroyed and what it still says is dropped.
 */
export function zlibGunzipStream(zlib: ZlibGunzipModule): TransformStream<Uint8Array, Uint8Array> {
  let gunzip: ZlibGunzip;
  let stopped = false;
  let total = 0;
  let ended: () => void;
  // zlib ends its output as soon as the data has ended, maybe before its input does (zeros after a member).
  const outputEnded = new Promise<void>((resolve) => (ended = resolve));
  let failed: (error: Error) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => {}); // seen through the write or the flush it breaks
  const stop = () => {
    if (stopped) return;
    stopped = true;
    gunzip.destroy();
    // A destroyed zlib may never call back a write in flight: settle it, so that an abort, which waits for it, ends.
    failed(new Error("Cannot gunzip: the stream was cancelled"));
  };
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(): void } = {
    start(controller) {
      gunzip = zlib.createGunzip({ chunkSize: OUTPUT_CHUNK_SIZE });
      gunzip.on("data", (chunk) => {
        if (stopped) return;
        try {
          controller.enqueue(chunk);
        } catch {
          stop(); // the readable side is gone
        }
      });
      gunzip.once("end", () => ended());
      gunzip.on("error", (error) => {
        if (stopped) return;
        failed(asGzipProblem(error)); // first, so that it is the failure seen
        stop();
      });
    },
    transform(chunk) {
      if (stopped) return failure;
      const magicAt = total; // gzip's magic is checked on the first two bytes only
      total += chunk.length;
      for (let index = magicAt; index < 2 && index < total; index++) {
        if (chunk[index - magicAt] !== GZIP_MAGIC[index]) throw new InvalidLayerSourceError("corrupt-gzip", "the gzip data cannot be decompressed: incorrect header check");
      }
      const written = new Promise<void>((resolve) => gunzip.write(chunk, () => resolve()));
      return Promise.race([written, failure]);
    },
    flush() {
      if (total === 0) throw new InvalidLayerSourceError("corrupt-gzip", "the gzip data cannot be decompressed: no bytes at all");
      gunzip.end();
      const checked = outputEnded.then(() => {
        const consumed = gunzip.bytesWritten;
        // zlib stops at a zero byte after a member: the gzip data ends there.
        if (consumed < total) throw trailingBytes(`at byte ${consumed}, a zero byte`, `cut the file at byte ${consumed}`);
      });
      return Promise.race([checked, failure]);
    },
    cancel: stop,
  };
  return new TransformStream(transformer, undefined, { highWaterMark: 4 });
}

const GZIP_MAGIC = [0x1f, 0x8b];

function asGzipProblem(error: Error): InvalidLayerSourceError {
  // The first member's magic was checked: a header that fails later is one of bytes after a member.
  if (error.message === "incorrect header check") return trailingBytes("bytes that do not begin another member", "cut them off");
  const reason = error.message === "unexpected end of file" ? "it ends inside a member (cut short)" : error.message;
  return new InvalidLayerSourceError("corrupt-gzip", `the gzip data cannot be decompressed: ${reason}`, { cause: error });
}

function trailingBytes(where: string, what: string): InvalidLayerSourceError {
  return new InvalidLayerSourceError(
    "trailing-bytes",
    `the gzip data has bytes after the end of its last member (${where}): ` +
      `Go's gzip reader, and so containerd and Docker, fail on them (gzip -d skips zeros with a warning); ${what}`,
  );
}
