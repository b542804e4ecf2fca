// A thread of Node's zstd pool (see _zstd_wasm_node.ts): instantiates the
// compiled zstd.wasm it was started with, then compresses each block it is
// sent into one frame, written into the frame buffer that came with it; both
// buffers go back, transferred.
import { parentPort, workerData } from "node:worker_threads";
import { answerBlockRequest, type BlockRequest } from "../compress/zstd/_zstd_block.ts";
import { ZstdWasm } from "../compress/zstd/_zstd_wasm.ts";

const port = parentPort!;
const zstd = ZstdWasm.instantiate((workerData as { module: WebAssembly.Module }).module);
port.on("message", (request: BlockRequest) => {
  zstd.then(
    (instance) => {
      const [answer, transfer] = answerBlockRequest(instance, request);
      port.postMessage(answer, transfer);
    },
    (error: unknown) => port.postMessage({ id: request.id, error: String(error) }),
  );
});
