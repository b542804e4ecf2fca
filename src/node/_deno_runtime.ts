// Deno's adapter, picked by the `deno` condition of package.json's `#runtime`
// import (and by jsr.json's import map): its `node:zlib` takes a compression
// level, which `CompressionStream` cannot, and its `node:crypto` SHA-256 is
// the fastest there: 64 MiB of tar in pieces of 64 KiB or 1 MiB took 120 to
// 160 ms against 820 to 1060 ms for hash-wasm (Deno 2.9.6, a busy shared
// machine), and the hashes share the thread that runs `CompressionStream`.
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import type { RuntimeAdapter } from "../runtime/_runtime_adapter.ts";
import type { Sha256 } from "../hash/_sha256.ts";

function createDenoSha256(): Sha256 {
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

export const runtime: RuntimeAdapter = { isNode: false, zlib, createSha256: createDenoSha256 };
