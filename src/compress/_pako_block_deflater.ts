import type { BlockDeflater } from "./_block_gzip_stream.ts";

// Output pieces about as large as a block compresses to.
const OUTPUT_CHUNK_SIZE = 256 * 1024;

/**
 * Blocks deflated by pako, zlib ported to JavaScript: the same bytes in every
 * runtime, on the calling thread. pako 3 ends a block with a correct sync
 * flush after a preset dictionary (fflate 0.8.3 writes a corrupt marker when a
 * block ends at bit 6 of a byte: its issue 267). Imported on first use, so
 * that bundles which never need it do not carry it.
 */
export async function pakoBlockDeflater(): Promise<BlockDeflater> {
  return pakoBlockDeflaterOf(await import("pako"));
}

/** The subset of pako used here, as `import * as pako from "pako"` gives it. */
export type Pako = Pick<typeof import("pako"), "Deflate" | "Z_SYNC_FLUSH">;

/**
 * {@link pakoBlockDeflater} over a pako imported already: for the Web Worker's
 * module, which imports it statically, since a worker bundle that splits into
 * chunks is refused by bundlers that make classic workers (Vite's default
 * `worker.format`, "iife").
 */
export function pakoBlockDeflaterOf({ Deflate, Z_SYNC_FLUSH }: Pako): BlockDeflater {
  return {
    deflate(block, dictionary, level) {
      const deflate = new Deflate({ level, raw: true, chunkSize: OUTPUT_CHUNK_SIZE, ...(dictionary ? { dictionary } : {}) });
      const pieces: Uint8Array[] = [];
      deflate.onData = (piece) => pieces.push(piece);
      deflate.push(block, Z_SYNC_FLUSH);
      if (deflate.err) return Promise.reject(new Error(`Cannot compress: pako failed: ${deflate.msg || deflate.err}`));
      return Promise.resolve(concat(pieces));
    },
  };
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const whole = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    whole.set(piece, offset);
    offset += piece.length;
  }
  return whole;
}
