// A thread of Node's zstd pool (see _zstd_wasm_node.ts): compresses the blocks
// it is sent, each into one frame, with its own instance of zstd.wasm.
import { parentPort } from "node:worker_threads";
import { compressBlock } from "../compress/zstd/_zstd_block.ts";
import { ZstdWasm } from "../compress/zstd/_zstd_wasm.ts";

interface BlockJob {
  id: number;
  block: Uint8Array;
  level: number;
}

const port = parentPort!;
const zstd = ZstdWasm.create();
port.on("message", (job: BlockJob) => {
  zstd.then(
    (instance) => {
      const frame = compressBlock(instance, job.block, job.level);
      port.postMessage({ id: job.id, frame }, [frame.buffer]);
    },
    (error: unknown) => port.postMessage({ id: job.id, error: String(error) }),
  ).catch((error: unknown) => port.postMessage({ id: job.id, error: String(error) }));
});
