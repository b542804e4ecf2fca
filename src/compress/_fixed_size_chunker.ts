/**
 * Cuts bytes into blocks of exactly `size` bytes, whatever the pieces they
 * arrive in; `flush` gives the shorter rest. At most one block is held;
 * input aligned on a block boundary is passed on as views, not copied.
 *
 * A streaming compressor's output can depend on where its input was cut, so
 * fixed blocks make it a function of the bytes alone.
 *
 * @example Blocks of 4 bytes
 * ```ts
 * import assert from "node:assert/strict";
 * import { FixedSizeChunker } from "./_fixed_size_chunker.ts";
 *
 * const chunker = new FixedSizeChunker(4);
 * const sizes = [...chunker.push(new Uint8Array(3)), ...chunker.push(new Uint8Array(6))].map((block) => block.length);
 * assert.deepEqual(sizes, [4, 4]);
 * assert.equal(chunker.flush()?.length, 1);
 * ```
 */
export class FixedSizeChunker {
  readonly #size: number;
  #block: Uint8Array;
  #filled = 0;
  // Blocks of its own that the caller gave back (see `reuse`), and which blocks are its own.
  readonly #spare: Uint8Array[] = [];
  readonly #own = new WeakSet<Uint8Array>();

  /**
   * @param size The block size in bytes.
   * @throws {RangeError} when `size` is not a positive integer.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Invalid block size: expected a positive integer, got ${String(size)}`);
    }
    this.#size = size;
    this.#block = this.#newBlock();
  }

  /** Takes `chunk` and returns the blocks it completes. */
  push(chunk: Uint8Array): Uint8Array[] {
    const size = this.#size;
    const blocks: Uint8Array[] = [];
    let offset = 0;
    if (this.#filled > 0) {
      offset = Math.min(size - this.#filled, chunk.length);
      this.#block.set(chunk.subarray(0, offset), this.#filled);
      this.#filled += offset;
      if (this.#filled < size) return blocks;
      blocks.push(this.#block);
      this.#block = this.#spare.pop() ?? this.#newBlock(); // the one just handed out belongs to the caller now
      this.#filled = 0;
    }
    for (; chunk.length - offset >= size; offset += size) blocks.push(chunk.subarray(offset, offset + size));
    this.#block.set(chunk.subarray(offset), 0);
    this.#filled = chunk.length - offset;
    return blocks;
  }

  /**
   * Gives back a block that {@link push} handed out, once nothing reads it any
   * more, to be filled again instead of a new one: a compressor that keeps a
   * few blocks in flight then allocates those few, not one per MiB of input,
   * and the garbage collector has that much less to free. Views of the input
   * (which belong to whoever gave it) are ignored.
   */
  reuse(block: Uint8Array): void {
    if (this.#own.has(block)) this.#spare.push(block);
  }

  #newBlock(): Uint8Array {
    const block = new Uint8Array(this.#size);
    this.#own.add(block);
    return block;
  }

  /** The bytes left over, shorter than a block, or `undefined` if none. */
  flush(): Uint8Array | undefined {
    return this.#filled > 0 ? this.#block.subarray(0, this.#filled) : undefined;
  }
}
