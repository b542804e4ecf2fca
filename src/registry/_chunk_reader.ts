/**
 * Reads a stream into chunks of a fixed size (the last may be shorter), in one
 * buffer reused from chunk to chunk, so that memory stays at one chunk.
 *
 * A piece that holds a whole chunk from a chunk boundary is handed out as a
 * view of itself, so a big piece (a layer made from bytes) is never copied;
 * other pieces are copied once into the buffer. A chunk handed out stays valid
 * until the next call to {@link ChunkReader.next}.
 */
export class ChunkReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #size: number;
  #buffer: Uint8Array | undefined;
  #pending: Uint8Array | undefined;
  #done = false;
  /** Bytes read from the stream so far. */
  bytesRead = 0;

  constructor(stream: ReadableStream<Uint8Array>, size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Invalid chunk size: expected a positive integer, got ${size}`);
    this.#reader = stream.getReader();
    this.#size = size;
  }

  /** The next chunk, or undefined at the end of the stream. */
  async next(): Promise<Uint8Array | undefined> {
    let filled = 0;
    while (filled < this.#size) {
      let piece = this.#pending;
      this.#pending = undefined;
      if (piece === undefined) {
        if (this.#done) break;
        const result = await this.#reader.read();
        if (result.done) {
          this.#done = true;
          break;
        }
        piece = result.value;
        this.bytesRead += piece.byteLength;
      }
      if (piece.byteLength === 0) continue;
      if (filled === 0 && piece.byteLength >= this.#size) {
        if (piece.byteLength > this.#size) this.#pending = piece.subarray(this.#size);
        return piece.subarray(0, this.#size);
      }
      this.#buffer ??= new Uint8Array(this.#size);
      const take = Math.min(piece.byteLength, this.#size - filled);
      this.#buffer.set(take === piece.byteLength ? piece : piece.subarray(0, take), filled);
      filled += take;
      if (take < piece.byteLength) this.#pending = piece.subarray(take);
    }
    if (filled === 0) return undefined;
    return this.#buffer!.subarray(0, filled);
  }

  /** Cancels the stream (and so the layer's source), ignoring a failure to. */
  async cancel(reason?: unknown): Promise<void> {
    await this.#reader.cancel(reason).catch(() => {});
  }
}
