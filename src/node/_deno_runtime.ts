// Deno's adapter, picked by the `deno` condition of package.json's `#runtime`
// import (and by jsr.json's import map): its `node:zlib` takes a compression
// level, which `CompressionStream` cannot, and its `node:crypto` SHA-256 is
// the fastest there, and the hashes share the thread that runs
// `CompressionStream`.
import * as zlib from "node:zlib";
import type { RuntimeAdapter } from "../runtime/_runtime_adapter.ts";
import { createCryptoSha256 } from "./_crypto_sha256.ts";

export const runtime: RuntimeAdapter = { isNode: false, zlib, createSha256: createCryptoSha256 };
