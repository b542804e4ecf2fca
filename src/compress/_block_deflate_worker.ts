// The module script of the Web Workers of `workerBlockGzipStream`: deflates the
// blocks it is sent with pako, as deterministic mode does on one thread, so the
// bytes are the same whichever thread made them.
import * as pako from "pako";
import type { CompressionLevel } from "./compressor.ts";
import { pakoBlockDeflaterOf } from "./_pako_block_deflater.ts";

/** A block to deflate, as the pool sends it. */
export interface BlockDeflateRequest {
  id: number;
  block: Uint8Array;
  dictionary: Uint8Array | undefined;
  level: CompressionLevel;
}

/** The answer: the raw deflate of the block, or why there is none. */
export type BlockDeflateResponse = { id: number; output: Uint8Array } | { id: number; error: string };

// A worker's global scope, typed without the WebWorker library (the core is
// checked against the DOM library, whose `self` is a Window).
interface WorkerScope {
  onmessage: ((event: MessageEvent<BlockDeflateRequest>) => void) | null;
  postMessage(message: BlockDeflateResponse, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
const deflater = Promise.resolve(pakoBlockDeflaterOf(pako));

scope.onmessage = (event) => {
  const { id, block, dictionary, level } = event.data;
  deflater
    .then((ready) => ready.deflate(block, dictionary, level))
    .then(
      // Only an ArrayBuffer can be transferred (pako's output always is one).
      (output) => scope.postMessage({ id, output }, output.buffer instanceof ArrayBuffer ? [output.buffer] : []),
      (error: unknown) => scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
    );
};
