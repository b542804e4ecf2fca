/**
 * Re-chunks a byte stream into blocks of exactly `size` bytes (the last one
 * may be shorter), whatever the chunking of its input.
 *
 * A streaming compressor's output can depend on where its input was cut (it
 * decides what to emit on each push); feeding it fixed blocks makes the output
 * a function of the bytes alone. At most one block is held at a time; input
 * that arrives aligned on a block boundary is passed on as views, not copied.
 *
 * @example Blocks of 4 bytes
 * ```ts
 * import { FixedSizeChunkStream } from "./fixed_size_chunk_stream.ts";
 *
 * const chunks = ReadableStream.from([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6, 7, 8, 9])]);
 * const sizes: number[] = [];
 * for await (const block of chunks.pipeThrough(new FixedSizeChunkStream(4))) sizes.push(block.length);
 * // sizes: [4, 4, 1]
 * ```
 */
export class FixedSizeChunkStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * @param size The block size in bytes.
   * @throws {RangeError} when `size` is not a positive integer.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Invalid block size: expected a positive integer, got ${String(size)}`);
    }
    let block = new Uint8Array(size);
    let filled = 0;
    super({
      transform(chunk, controller) {
        let offset = 0;
        if (filled > 0) {
          const taken = Math.min(size - filled, chunk.length);
          block.set(chunk.subarray(0, taken), filled);
          filled += taken;
          offset = taken;
          if (filled < size) return;
          controller.enqueue(block);
          block = new Uint8Array(size); // the one just sent belongs to the reader now
          filled = 0;
        }
        for (; chunk.length - offset >= size; offset += size) controller.enqueue(chunk.subarray(offset, offset + size));
        block.set(chunk.subarray(offset), 0);
        filled = chunk.length - offset;
      },
      flush(controller) {
        if (filled > 0) controller.enqueue(block.subarray(0, filled));
      },
    });
  }
}
