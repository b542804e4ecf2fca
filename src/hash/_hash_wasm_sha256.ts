import { createSHA256 } from "hash-wasm";
import type { Sha256 } from "./_sha256.ts";

/** SHA-256 on hash-wasm's WebAssembly build: fast and synchronous per update. */
export async function createHashWasmSha256(): Promise<Sha256> {
  const hasher = await createSHA256();
  hasher.init();
  return {
    update(data) {
      hasher.update(data);
    },
    digest() {
      return Promise.resolve(hasher.digest("hex"));
    },
  };
}
