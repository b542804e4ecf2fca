import type { ZstdWasm } from "./_zstd_wasm.ts";

/**
 * The input size of one frame of a zstd layer: the layer is cut into blocks of
 * exactly this size (the last one shorter), each compressed as an independent
 * zstd frame, so that blocks can be compressed on several threads and the
 * bytes still depend on the input and the level alone. 2 MiB: large enough
 * that the frames cost little in size (zstd's window at levels 1 to 5 is at
 * most 1 MiB), small enough that a few in flight keep memory flat.
 */
export const ZSTD_BLOCK_SIZE = 2 * 1024 * 1024;

/** Compresses one block into one whole zstd frame (no content size, no checksum: the bytes of a stream fed piece by piece). */
export function compressBlock(zstd: ZstdWasm, block: Uint8Array, level: number): Uint8Array<ArrayBuffer> {
  const pieces: Uint8Array[] = [];
  let length = 0;
  const keep = (bytes: Uint8Array) => {
    pieces.push(bytes.slice());
    length += bytes.byteLength;
  };
  zstd.beginCompress(level);
  zstd.compress(block, keep);
  zstd.endCompress(keep);
  const frame = new Uint8Array(length);
  pieces.reduce((offset, piece) => (frame.set(piece, offset), offset + piece.byteLength), 0);
  return frame;
}

/** Where blocks are compressed: this thread, or a pool of threads. */
export interface ZstdBlockCompressor {
  /** How many blocks it compresses at once. */
  readonly threads: number;
  /** Compresses one block into one frame. The block is the compressor's from then on (it may be transferred). */
  compress(block: Uint8Array<ArrayBuffer>, level: number): Promise<Uint8Array>;
  /** Stops its threads, if any; pending blocks reject. */
  close(): void;
}
