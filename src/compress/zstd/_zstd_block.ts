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
 * written to a larger room.
 */
export const ZSTD_FRAME_ROOM = ZSTD_BLOCK_SIZE + (ZSTD_BLOCK_SIZE >>> 8) + 64 * 1024;

/**
 * One thread's zstd, compressing blocks one at a time, each into one whole
 * zstd frame (no content size, no checksum: the bytes of a stream fed piece
 * by piece). A frame is written into a room of the thread's own, used again
 * from block to block, then copied into a buffer of exactly its size: the
 * buffer that goes on (transferred, where the thread is not the layer's), so
 * that no frame holds more than its bytes while it waits to be read.
 */
export class BlockCompressor {
  #room = new Uint8Array(ZSTD_FRAME_ROOM);

  constructor(readonly zstd: ZstdWasm) {}

  /** `block`'s frame, in a buffer of its own. */
  compress(block: Uint8Array, level: number): Uint8Array<ArrayBuffer> {
    let length = 0;
    const keep = (bytes: Uint8Array) => {
      if (length + bytes.byteLength > this.#room.byteLength) {
        const larger = new Uint8Array(Math.max(this.#room.byteLength * 2, length + bytes.byteLength));
        larger.set(this.#room.subarray(0, length));
        this.#room = larger;
      }
      this.#room.set(bytes, length);
      length += bytes.byteLength;
    };
    this.zstd.beginCompress(level);
    this.zstd.compress(block, keep);
    this.zstd.endCompress(keep);
    return this.#room.slice(0, length);
  }
}

/** A block compressed: its frame, and the block's buffer given back for the next block. */
export interface CompressedBlock {
  /** The frame, in a buffer of exactly its size. */
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
   * Compresses `block` (a view from the start of its buffer) into one frame.
   * The block's buffer is the compressor's until the promise settles (it may
   * be transferred to a thread and back): it is given back in the answer, to
   * be used again, so that a layer's blocks make no garbage in the threads,
   * which would hold it until their next collection.
   */
  compress(block: Uint8Array<ArrayBuffer>, level: number): Promise<CompressedBlock>;
  /** Stops its threads, if any; pending blocks reject. */
  close(): void;
}

/** A block as a thread is sent it: the block's bytes are `input`'s first `length`. */
export interface BlockRequest {
  id: number;
  input: ArrayBuffer;
  length: number;
  level: number;
}

/** A thread's answer: the frame (a buffer of exactly its size) and the block's buffer; or why there is none. */
export type BlockResponse = { id: number; input: ArrayBuffer; frame: ArrayBuffer } | { id: number; error: string };

/** What a thread does with a request: the answer, and the buffers to transfer back with it. */
export function answerBlockRequest(compressor: BlockCompressor, request: BlockRequest): [BlockResponse, ArrayBuffer[]] {
  try {
    const frame = compressor.compress(new Uint8Array(request.input, 0, request.length), request.level);
    const answer = { id: request.id, input: request.input, frame: frame.buffer };
    return [answer, [answer.input, answer.frame]];
  } catch (error) {
    return [{ id: request.id, error: error instanceof Error ? error.message : String(error) }, []];
  }
}

/** The block and frame of an answer, as a {@link CompressedBlock}; an error for an answer that has none. */
export function compressedBlockOf(response: BlockResponse): CompressedBlock {
  if ("error" in response) throw new Error(`Cannot compress with zstd: ${response.error}`);
  return { frame: new Uint8Array(response.frame), input: response.input };
}
