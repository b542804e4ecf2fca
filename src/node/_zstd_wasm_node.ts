// How Node (and Deno, through the `node` condition) load zstd.wasm: read from
// beside the module that uses it, since Node's fetch takes no file: URL.
// Picked by the `node` condition of package.json's `#zstd-wasm` import.
import { readFile } from "node:fs/promises";

/** Reads and compiles zstd.wasm. */
export async function compileZstdWasm(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(new URL("../compress/zstd/zstd.wasm", import.meta.url)));
}
