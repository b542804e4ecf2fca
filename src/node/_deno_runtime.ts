// Deno's adapter, picked by the `deno` condition of package.json's `#runtime`
// import (and by jsr.json's import map): its `node:zlib` takes a compression
// level, which `CompressionStream` cannot. Its `node:crypto` was not measured
// faster than hash-wasm there, so the hash stays portable.
import * as zlib from "node:zlib";
import type { RuntimeAdapter } from "../runtime/_runtime_adapter.ts";

export const runtime: RuntimeAdapter = { isNode: false, zlib };
