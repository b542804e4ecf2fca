import type { Sha256 } from "./_sha256.ts";

/**
 * hash-wasm's SHA-256 on this thread, loaded on first use. A page hashes
 * layers on a Web Worker, so hash-wasm (18 KB minified, most of it its
 * embedded WebAssembly) stays out of the code a page loads up front; it is
 * fetched only where no worker runs or for small things (manifests, configs).
 * The import names our module, not "hash-wasm": bundlers then split off a
 * chunk with SHA-256 alone, where importing "hash-wasm" lazily would bring
 * every algorithm it has.
 */
export async function createLazyHashWasmSha256(): Promise<Sha256> {
  const { createHashWasmSha256 } = await import("./_hash_wasm_sha256.ts");
  return createHashWasmSha256();
}
