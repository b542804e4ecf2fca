// SHA-256 on the runtime's `node:crypto`, for the Node and Deno adapters: on
// Node it is OpenSSL, about 4× hash-wasm on the same machine (it uses the
// CPU's SHA instructions); in Deno about 6× (64 MiB of tar in 120 to 160 ms
// against 820 to 1060 ms). Either way it matters on the thread that also feeds
// the compressor.
import { createHash } from "node:crypto";
import type { Sha256 } from "../hash/_sha256.ts";

/** A SHA-256 whose `update` hashes on `node:crypto`, synchronously. */
export function createCryptoSha256(): Sha256 {
  const hash = createHash("sha256");
  return {
    update(data) {
      hash.update(data);
    },
    digest() {
      return Promise.resolve(hash.digest("hex"));
    },
  };
}
