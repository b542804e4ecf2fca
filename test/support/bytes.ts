/**
 * Test inputs: deterministic bytes, and streams that hand them out in chosen
 * chunk sizes while recording what happened to them.
 */

/** A deterministic pseudo-random generator (xorshift32): each call gives the next unsigned 32-bit value. */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/**
 * `length` bytes that look like a tarball of mixed files: runs of text, which
 * compress well, between runs of noise, which do not. Deterministic per seed.
 */
export function tarLikeBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  const next = xorshift32(seed);
  const text = new TextEncoder().encode("usr/share/doc/streamlayer/README 0000644 0000000 0000000 hello, layer\n");
  for (let offset = 0; offset < length; ) {
    const run = Math.min(length - offset, 512 + (next() % 4096));
    if (next() % 2 === 0) {
      for (let i = 0; i < run; i++) bytes[offset + i] = text[(offset + i) % text.length]!;
    } else {
      for (let i = 0; i < run; i++) bytes[offset + i] = next() & 0xff;
    }
    offset += run;
  }
  return bytes;
}

/** What a {@link chunkedStream} saw happen to it. */
export interface SourceRecord {
  /** Bytes handed out so far. */
  pulled: number;
  /** The reason `cancel()` was called with, if it was. */
  cancelled: { reason: unknown } | undefined;
}

export interface ChunkedStreamOptions {
  /** Chunk sizes to cycle through. @default [65536] */
  chunkSizes?: readonly number[];
  /** Fail with this error once `failAfter` bytes have been handed out. */
  failWith?: unknown;
  failAfter?: number;
  /** Hand out each chunk a macrotask later, as a disk or a network would. @default false */
  paced?: boolean;
}

/**
 * A stream of `bytes` in chunks of the given sizes (views, not copies), which
 * records how much was pulled and whether it was cancelled.
 */
export function chunkedStream(bytes: Uint8Array, options: ChunkedStreamOptions = {}): { stream: ReadableStream<Uint8Array>; record: SourceRecord } {
  const { chunkSizes = [65536], failWith, failAfter = 0, paced = false } = options;
  const record: SourceRecord = { pulled: 0, cancelled: undefined };
  let index = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (paced) await new Promise((resolve) => setTimeout(resolve, 0));
        if (failWith !== undefined && record.pulled >= failAfter) {
          controller.error(failWith);
          return;
        }
        if (record.pulled >= bytes.length) {
          controller.close();
          return;
        }
        const size = Math.max(1, chunkSizes[index++ % chunkSizes.length]!);
        const chunk = bytes.subarray(record.pulled, record.pulled + size);
        record.pulled += chunk.length;
        controller.enqueue(chunk);
      },
      cancel(reason) {
        record.cancelled = { reason };
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, record };
}

/**
 * Reads a stream to its end into one array. Not `new Response(stream)`:
 * Chromium reports a stream's error from there as "TypeError: Failed to
 * fetch", hiding the error a test checks.
 */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    chunks.push(next.value);
    length += next.value.length;
  }
  const bytes = new Uint8Array(length);
  chunks.reduce((offset, chunk) => (bytes.set(chunk, offset), offset + chunk.length), 0);
  return bytes;
}

/**
 * A copy of `bytes` (at least 512 long) whose first 512-byte block is a valid
 * tar header, so that a layer's tar check takes it: tar-like bytes that pass
 * for a tar from their first block, as the check sees them.
 */
export function withTarHeader(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.max(bytes.length, 512));
  out.set(bytes);
  const header = out.subarray(0, 512);
  header.fill(0);
  const put = (text: string, offset: number) => header.set(new TextEncoder().encode(text), offset);
  put("tar-like-bytes", 0);
  put("0000644\0", 100);
  put("0000000\0", 108);
  put("0000000\0", 116);
  put(`${Math.max(0, out.length - 512).toString(8).padStart(11, "0")}\0`, 124);
  put("00000000000\0", 136);
  put("0", 156);
  put("ustar\0" + "00", 257);
  put("        ", 148);
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return out;
}

/** The parts one after another, in one array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
