// In your own project `npm install streamlayer` and drop the aliases: here,
// inside the streamlayer repository, the example runs against the sources.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const source = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Exact matches: a plain "streamlayer" alias would also catch "streamlayer/worker".
    alias: [
      { find: /^streamlayer$/, replacement: source("index.ts") },
      { find: /^streamlayer\/worker$/, replacement: source("worker/index.ts") },
      // What the published package's "imports" give a browser.
      { find: /^#runtime$/, replacement: source("runtime/_portable.ts") },
      { find: /^#zstd-wasm$/, replacement: source("compress/zstd/_wasm_fetch.ts") },
    ],
  },
  // The push's worker is bundled as an ES module: it imports what it needs
  // lazily (the CORS wording of errors), which a classic (iife) worker cannot.
  worker: { format: "es" },
  // streamlayer's errors are named after their classes (RegistryError, …);
  // keep the names through minification so that error.name stays readable.
  esbuild: { keepNames: true },
  build: { target: "es2022" },
});
