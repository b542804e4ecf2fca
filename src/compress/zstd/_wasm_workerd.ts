// How Cloudflare Workers load zstd.wasm: as a WebAssembly module import, which
// wrangler (and esbuild told to) bundle as a compiled module, since workerd
// refuses to compile WebAssembly from bytes at run time. Picked by the
// `workerd` condition of `#zstd-wasm`.
import zstdWasm from "./zstd.wasm";

/** The module workerd compiled when it loaded the Worker. */
export function compileZstdWasm(): Promise<WebAssembly.Module> {
  return Promise.resolve(zstdWasm);
}
