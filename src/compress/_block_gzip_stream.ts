import type { CompressionLevel, Compressor } from "./compressor.ts";
import { FixedSizeChunker } from "./_fixed_size_chunker.ts";

/**
 * The input block size of the block format. Part of the format: the bytes
 * depend on it, so changing it changes every digest made with it.
 */
export const BLOCK_SIZE = 1024 * 1024;

/** How much of the previous block primes the next: deflate's whole window. */
const DICTIONARY_SIZE = 32 * 1024;

/**
 * Raw deflate of one block, the engine of {@link blockGzipStream}: may run
 * beside the caller (a thread pool, a worker), which is the point.
 */
export interface BlockDeflater {
  /**
   * Raw deflate (no header, no trailer) of `block` at `level`, primed with
   * `dictionary` as a preset dictionary when given, ended with a sync flush:
   * no final bit, output aligned on a byte, so that the next block's output
   * can follow it in the same deflate stream.
   */
  deflate(block: Uint8Array, dictionary: Uint8Array | undefined, level: CompressionLevel): Promise<Uint8Array>;
}

/** An incremental CRC-32, as gzip's trailer needs it. */
export interface Crc32 {
  update(data: Uint8Array): void;
  /** The CRC-32 of everything given so far, as an unsigned 32-bit integer. */
  value(): number;
}

/** Options for {@link blockGzipStream}. */
export interface BlockGzipOptions {
  /** @default 6 */
  level?: CompressionLevel;
  /**
   * How many blocks may be compressing or waiting for the reader at once:
   * the parallelism, and the bound on memory (about twice this many MiB).
   *
   * @default 4
   */
  blocksInFlight?: number;
}

// A final, empty block with fixed codes: BFINAL 1, BTYPE 01, then end-of-block.
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

/**
 * Gzip as pigz makes it: the input cut into fixed {@link BLOCK_SIZE} blocks,
 * each raw-deflated on its own (so several at once) with the previous block's
 * last 32 KiB as dictionary and a sync flush at its end, then one final empty
 * block; a gzip header (no time, no name) before and the CRC-32 and size of
 * the whole input after. The result is one standard gzip member, and since
 * the blocks are fixed, its bytes depend on the input, the level and the
 * deflate implementation only: not on how the input arrived, nor on how many
 * blocks were compressed at once.
 *
 * `crc` must be fresh: it is fed the whole input, in order. Blocks are handed
 * out in order. At most `blocksInFlight` are compressing or waiting at once,
 * and input is taken only while there is room: the reader's pace holds the
 * writer back.
 */
export function blockGzipStream(deflater: BlockDeflater, crc: Crc32, options: BlockGzipOptions = {}): Compressor {
  const { level = 6, blocksInFlight = 4 } = options;
  if (!Number.isInteger(blocksInFlight) || blocksInFlight < 1) {
    throw new RangeError(`Invalid blocksInFlight: expected a positive integer, got ${String(blocksInFlight)}`);
  }
  const chunker = new FixedSizeChunker(BLOCK_SIZE);
  const pending: { job: Promise<Uint8Array>; block: Uint8Array }[] = [];
  let dictionary: Uint8Array | undefined;
  let size = 0;
  let stopped = false;

  const start = (block: Uint8Array) => {
    crc.update(block);
    size += block.length;
    const job = deflater.deflate(block, dictionary, level);
    job.catch(() => {}); // awaited in order below, unless the stream is stopped first
    pending.push({ job, block });
    // A copy, so that a view does not keep the whole block alive after it
    // has been compressed.
    dictionary = block.slice(Math.max(0, block.length - DICTIONARY_SIZE));
  };
  const emit = async (controller: TransformStreamDefaultController<Uint8Array>) => {
    const { job, block } = pending.shift()!;
    const output = await job;
    // The deflater is done with the block (a worker's got a copy): the chunker fills it again.
    chunker.reuse(block);
    if (stopped) return;
    try {
      if (output.length > 0) controller.enqueue(output);
    } catch {
      stopped = true; // the reader cancelled while we were in flush, where no `cancel` comes
    }
  };

  // `cancel` comes when the reader cancels or the writer aborts (the Streams
  // standard since 2023; TypeScript's lib does not have it yet).
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(): void } = {
    start(controller) {
      controller.enqueue(gzipHeader(level));
    },
    async transform(chunk, controller) {
      for (const block of chunker.push(chunk)) {
        start(block);
        while (pending.length >= blocksInFlight && !stopped) await emit(controller);
      }
    },
    async flush(controller) {
      const rest = chunker.flush();
      if (rest) start(rest);
      while (pending.length > 0 && !stopped) await emit(controller);
      if (stopped) return;
      const trailer = new Uint8Array(FINAL_EMPTY_BLOCK.length + 8);
      trailer.set(FINAL_EMPTY_BLOCK);
      const view = new DataView(trailer.buffer);
      view.setUint32(FINAL_EMPTY_BLOCK.length, crc.value(), true);
      view.setUint32(FINAL_EMPTY_BLOCK.length + 4, size % 2 ** 32, true);
      try {
        controller.enqueue(trailer);
      } catch {
        stopped = true;
      }
    },
    cancel() {
      stopped = true;
      pending.length = 0; // the jobs still running end on their own; their outcome is dropped
    },
  };
  return new TransformStream(transformer, undefined, { highWaterMark: 1 });
}

/**
 * A gzip header with no time (so the bytes do not depend on when), no name,
 * the extra flags zlib sets for the level, and "Unix" as the system, as zlib
 * and pigz write on Linux, whatever the host.
 */
function gzipHeader(level: CompressionLevel): Uint8Array {
  const extraFlags = level === 9 ? 2 : level < 2 ? 4 : 0;
  return Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, 3);
}
