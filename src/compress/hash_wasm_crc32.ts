import { createCRC32 } from "hash-wasm";
import type { Crc32 } from "./block_gzip_stream.ts";

/** gzip's CRC-32 on hash-wasm (about 2.3 GB/s), for runtimes without a native one. */
export async function hashWasmCrc32(): Promise<Crc32> {
  const hasher = await createCRC32();
  hasher.init();
  return {
    update(data) {
      hasher.update(data);
    },
    value: () => Number.parseInt(hasher.digest("hex"), 16) >>> 0,
  };
}
