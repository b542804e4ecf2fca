// A thread of Node's zstd pool (see _zstd_wasm_node.ts): instantiates the
// compiled zstd.wasm it was started with, then compresses each block it is
// sent into one frame, in a buffer of its own size; the frame and the block's
// buffer go back, transferred.
import { parentPort, workerData } from "node:worker_threads";
import { answerBlockRequest, BlockCompressor, type BlockRequest } from "../compress/zstd/_zstd_block.ts";
import { ZstdWasm } from "../compress/zstd/_zstd_wasm.ts";

const port = parentPort!;
const compressor = ZstdWasm.instantiate((workerData as { module: WebAssembly.Module }).module).then((zstd) => new BlockCompressor(zstd));
port.on("message", (request: BlockRequest) => {
  compressor.then(
    (here) => {
      const [answer, transfer] = answerBlockRequest(here, request);
      port.postMessage(answer, transfer);
    },
    (error: unknown) => port.postMessage({ id: request.id, error: String(error) }),
  );
});
