// Node's adapter, picked by the `node` condition of package.json's `#runtime`
// import: static imports of Node's built-ins, which no browser bundle reaches.
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import * as zlib from "node:zlib";
import type { RuntimeAdapter } from "../runtime/_runtime_adapter.ts";
import type { Sha256 } from "../hash/_sha256.ts";

/**
 * SHA-256 on Node's OpenSSL: about 4× hash-wasm on the same machine (it uses
 * the CPU's SHA instructions), which matters on the main thread that also
 * feeds the compressor.
 */
function createNodeSha256(): Sha256 {
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

export const runtime: RuntimeAdapter = { isNode: true, zlib, createSha256: createNodeSha256, availableCores: availableParallelism };
