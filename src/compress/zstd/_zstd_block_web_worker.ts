// The module script of the Web Workers of a zstd layer (see
// _web_worker_block_compressor.ts): handed zstd.wasm compiled, it says when it
// is ready, then compresses each block it is sent into one frame, written into
// the frame buffer that came with it; both buffers go back, transferred.
import { answerBlockRequest, type BlockRequest } from "./_zstd_block.ts";
import type { ZstdWorkerMessage } from "./_web_worker_block_compressor.ts";
import { ZstdWasm } from "./_zstd_wasm.ts";

// A worker's global scope, typed without the WebWorker library (the core is
// checked against the DOM library, whose `self` is a Window).
interface WorkerScope {
  onmessage: ((event: MessageEvent<{ module: WebAssembly.Module } | BlockRequest>) => void) | null;
  postMessage(message: ZstdWorkerMessage, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let zstd: ZstdWasm | undefined;

scope.onmessage = (event) => {
  const message = event.data;
  if ("module" in message) {
    ZstdWasm.instantiate(message.module).then(
      (instance) => ((zstd = instance), scope.postMessage({ ready: true })),
      (error: unknown) => scope.postMessage({ failed: error instanceof Error ? error.message : String(error) }),
    );
    return;
  }
  if (!zstd) return scope.postMessage({ id: message.id, error: "the worker was sent a block before zstd was ready" });
  const [answer, transfer] = answerBlockRequest(zstd, message);
  scope.postMessage(answer, transfer);
};
