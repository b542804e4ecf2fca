// Everything the push loads on demand, imported here up front, for the
// worker's bundle only. Vite bundles a worker as one classic script by default
// (`worker.format: "iife"`), which cannot be split: a dynamic import that
// would make a chunk of its own fails the build. A module imported statically
// as well is already in the worker's one chunk, so its dynamic imports make
// none. test/package/worker_bundles.test.ts builds the worker with Vite's
// defaults: a new dynamic import under the push fails it until it is added here.
import * as pako from "pako";
import * as fflate from "fflate";
import * as parallelZlib from "../compress/_parallel_zlib_stream.ts";
import * as workerBlockGzip from "../compress/_worker_block_gzip_stream.ts";
import * as zstdBlocks from "../compress/zstd/_block_zstd_stream.ts";
import * as zstdThisThread from "../compress/zstd/_this_thread_block_compressor.ts";
import * as zstdDecompress from "../compress/zstd/_zstd_decompress_stream.ts";
import * as zstdWasm from "#zstd-wasm";
import * as deterministicGzip from "../compress/_deterministic_gzip_stream.ts";
import * as hashWasmSha256 from "../hash/_hash_wasm_sha256.ts";
import * as sha512 from "../registry/_sha512_js.ts";
import * as invalidSource from "../layer/_invalid_source.ts";
import * as corsHints from "../registry/_cors_hints.ts";

/** The modules, held so that no bundler drops them as unused. */
export const LOADED_UP_FRONT: readonly unknown[] = [
  pako, fflate, parallelZlib, workerBlockGzip, deterministicGzip, zstdBlocks, zstdThisThread, zstdDecompress, zstdWasm, hashWasmSha256, sha512, invalidSource, corsHints,
];
