import type { Compressor } from "../compressor.ts";
import { ZSTD_BLOCK_SIZE, ZSTD_FRAME_ROOM, type ZstdBlockCompressor } from "./_zstd_block.ts";

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
 * The input is copied once, into a block buffer; block and frame buffers are
 * used again from block to block (at most `inFlight` + 1 of each), so memory
 * stays flat and the threads make no garbage. An empty input is one empty
 * frame.
 */
export function blockZstdStream(compressor: ZstdBlockCompressor, level: number, inFlight = compressor.inFlight ?? compressor.threads + 1): Compressor {
  const freeInputs: ArrayBuffer[] = [];
  const freeOutputs: ArrayBuffer[] = [];
  const pending: Promise<Uint8Array>[] = [];
  let block: Uint8Array<ArrayBuffer> | undefined;
  let filled = 0;
  let blocks = 0;
  let stopped = false;

  const submit = () => {
    const input = (block ?? new Uint8Array(0)).subarray(0, filled);
    block = undefined;
    filled = 0;
    blocks++;
    const frame = compressor.compress(input, freeOutputs.pop() ?? new ArrayBuffer(ZSTD_FRAME_ROOM), level).then((done) => {
      if (done.input.byteLength === ZSTD_BLOCK_SIZE) freeInputs.push(done.input);
      const copy = done.frame.slice(); // what goes on is sized to the frame; its buffer serves the next block
      if (done.frame.buffer.byteLength === ZSTD_FRAME_ROOM) freeOutputs.push(done.frame.buffer);
      return copy;
    });
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
        for (let offset = 0; offset < chunk.byteLength;) {
          block ??= new Uint8Array(freeInputs.pop() ?? new ArrayBuffer(ZSTD_BLOCK_SIZE));
          const taken = Math.min(ZSTD_BLOCK_SIZE - filled, chunk.byteLength - offset);
          block.set(chunk.subarray(offset, offset + taken), filled);
          filled += taken;
          offset += taken;
          if (filled < ZSTD_BLOCK_SIZE) continue;
          submit();
          while (pending.length >= inFlight) controller.enqueue(await pending.shift()!);
        }
      } catch (error) {
        stop();
        throw error;
      }
    },
    async flush(controller) {
      if (filled > 0 || blocks === 0) submit();
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
