// Node's adapter, picked by the `node` condition of package.json's `#runtime`
// import: static imports of Node's built-ins, which no browser bundle reaches.
import { availableParallelism } from "node:os";
import * as zlib from "node:zlib";
import type { RuntimeAdapter } from "../runtime/_runtime_adapter.ts";
import { createCryptoSha256 } from "./_crypto_sha256.ts";

export const runtime: RuntimeAdapter = { isNode: true, zlib, createSha256: createCryptoSha256, availableCores: availableParallelism };
