// How browsers and Deno load zstd.wasm: fetched from beside this module, the
// form (`new URL("./zstd.wasm", import.meta.url)`) that Vite and webpack see
// and copy into a bundle's output. Picked by `#zstd-wasm`'s default condition.

/** Fetches and compiles zstd.wasm, streaming where the server says it is WebAssembly. */
export async function compileZstdWasm(): Promise<WebAssembly.Module> {
  const response = await fetch(new URL("./zstd.wasm", import.meta.url));
  if (!response.ok) throw new Error(`fetching zstd.wasm answered ${response.status}`);
  const type = response.headers.get("content-type") ?? "";
  if (typeof WebAssembly.compileStreaming === "function" && type.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
