import type { Compressor } from "../compressor.ts";
import { FixedSizeChunker } from "../_fixed_size_chunker.ts";
import { ZSTD_BLOCK_SIZE, type ZstdBlockCompressor } from "./_zstd_block.ts";

/**
 * A zstd layer in fixed blocks: the input cut into {@link ZSTD_BLOCK_SIZE}
 * blocks, each compressed as an independent frame by `compressor` (several
 * at once when it has threads), the frames written in order. Concatenated
 * frames are one zstd stream for every decoder (zstd(1), containerd's
 * klauspost/compress, fzstd). The bytes do not depend on how the input was
 * chunked, nor on the number of threads.
 *
 * Backpressure holds: at most `inFlight` blocks are compressing or waiting
 * to be read, and a write waits until the oldest of them has been handed on.
 * An empty input is one empty frame.
 */
export function blockZstdStream(compressor: ZstdBlockCompressor, level: number, inFlight = compressor.threads + 1): Compressor {
  const chunker = new FixedSizeChunker(ZSTD_BLOCK_SIZE);
  const pending: Promise<Uint8Array>[] = [];
  let blocks = 0;
  let stopped = false;

  const submit = (block: Uint8Array) => {
    blocks++;
    const frame = compressor.compress(block.slice(), level); // a copy: the source's bytes are still being hashed
    frame.catch(() => {}); // awaited in order below, unless the stream is torn down first
    pending.push(frame);
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    compressor.close();
  };
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(): void } = {
    async transform(chunk, controller) {
      try {
        for (const block of chunker.push(chunk)) {
          submit(block);
          while (pending.length >= inFlight) controller.enqueue(await pending.shift()!);
        }
      } catch (error) {
        stop();
        throw error;
      }
    },
    async flush(controller) {
      const rest = chunker.flush();
      if (rest !== undefined || blocks === 0) submit(rest ?? new Uint8Array(0));
      try {
        while (pending.length > 0) controller.enqueue(await pending.shift()!);
      } finally {
        stop();
      }
    },
    cancel: stop, // the reader cancelled, or the writer aborted (Streams standard, 2023)
  };
  return new TransformStream(transformer, { highWaterMark: 1 }, { highWaterMark: 0 });
}
