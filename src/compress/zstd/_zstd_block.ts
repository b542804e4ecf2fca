import type { ZstdWasm } from "./_zstd_wasm.ts";

/**
 * The input size of one frame of a zstd layer: the layer is cut into blocks of
 * exactly this size (the last one shorter), each compressed as an independent
 * zstd frame, so that blocks can be compressed on several threads and the
 * bytes still depend on the input and the level alone. 2 MiB: large enough
 * that the frames cost little in size (zstd's window at level 3 is 2 MiB),
 * small enough that a few in flight keep memory flat.
 */
export const ZSTD_BLOCK_SIZE = 2 * 1024 * 1024;

/**
 * Room for one block's frame: zstd's bound for a block of incompressible bytes
 * (its size, 1/256 of it for the block headers of a stored frame, and the
 * frame's header and end), rounded up. A frame that still does not fit is
 * written to a larger buffer.
 */
export const ZSTD_FRAME_ROOM = ZSTD_BLOCK_SIZE + (ZSTD_BLOCK_SIZE >>> 8) + 64 * 1024;

/**
 * Compresses one block into one whole zstd frame (no content size, no
 * checksum: the bytes of a stream fed piece by piece), written into `output`
 * (a larger buffer if it does not fit). Returns the frame, a view from the
 * start of the buffer it is in.
 */
export function compressBlock(zstd: ZstdWasm, block: Uint8Array, level: number, output: ArrayBuffer = new ArrayBuffer(ZSTD_FRAME_ROOM)): Uint8Array<ArrayBuffer> {
  let frame = new Uint8Array(output);
  let length = 0;
  const keep = (bytes: Uint8Array) => {
    if (length + bytes.byteLength > frame.byteLength) {
      const larger = new Uint8Array(Math.max(frame.byteLength * 2, length + bytes.byteLength));
      larger.set(frame.subarray(0, length));
      frame = larger;
    }
    frame.set(bytes, length);
    length += bytes.byteLength;
  };
  zstd.beginCompress(level);
  zstd.compress(block, keep);
  zstd.endCompress(keep);
  return frame.subarray(0, length);
}

/** A block compressed: its frame, and both buffers given back for the next block. */
export interface CompressedBlock {
  /** The frame: a view from the start of the output buffer (or of a larger one, when it did not fit). */
  frame: Uint8Array<ArrayBuffer>;
  /** The block's buffer, its bytes no longer needed. */
  input: ArrayBuffer;
}

/** Where blocks are compressed: this thread, or a pool of threads. */
export interface ZstdBlockCompressor {
  /** How many blocks it compresses at once. */
  readonly threads: number;
  /** How many blocks it needs in flight to keep its threads busy: `threads` + 1 unless it says. */
  readonly inFlight?: number;
  /**
   * Compresses `block` (a view from the start of its buffer) into one frame
   * written to `output`. Both buffers are the compressor's until the promise
   * settles (they may be transferred to a thread and back): they are given
   * back in the answer, to be used again, so that a layer's blocks make no
   * garbage in the threads, which would hold it until their next collection.
   */
  compress(block: Uint8Array<ArrayBuffer>, output: ArrayBuffer, level: number): Promise<CompressedBlock>;
  /** Stops its threads, if any; pending blocks reject. */
  close(): void;
}

/** A block as a thread is sent it: the block's bytes are `input`'s first `length`. */
export interface BlockRequest {
  id: number;
  input: ArrayBuffer;
  length: number;
  output: ArrayBuffer;
  level: number;
}

/** A thread's answer: the frame is `output`'s first `length` bytes; or why there is none. */
export type BlockResponse = { id: number; input: ArrayBuffer; output: ArrayBuffer; length: number } | { id: number; error: string };

/** What a thread does with a request: the answer, and the buffers to transfer back with it. */
export function answerBlockRequest(zstd: ZstdWasm, request: BlockRequest): [BlockResponse, ArrayBuffer[]] {
  try {
    const frame = compressBlock(zstd, new Uint8Array(request.input, 0, request.length), request.level, request.output);
    const answer = { id: request.id, input: request.input, output: frame.buffer, length: frame.byteLength };
    return [answer, [answer.input, answer.output]];
  } catch (error) {
    return [{ id: request.id, error: error instanceof Error ? error.message : String(error) }, []];
  }
}

/** The block and frame of an answer, as a {@link CompressedBlock}; an error for an answer that has none. */
export function compressedBlockOf(response: BlockResponse): CompressedBlock {
  if ("error" in response) throw new Error(`Cannot compress with zstd: ${response.error}`);
  return { frame: new Uint8Array(response.output, 0, response.length), input: response.input };
}
