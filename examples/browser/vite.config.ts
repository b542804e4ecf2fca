// In your own project `npm install streamlayer` and drop the alias: here, inside
// the streamlayer repository, the example runs against the sources.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  resolve: {
    alias: {
      streamlayer: fileURLToPath(new URL("../../src/index.ts", import.meta.url)),
      // What the published package's "imports" give a browser.
      "#runtime": fileURLToPath(new URL("../../src/runtime/_portable.ts", import.meta.url)),
    },
  },
  // streamlayer's errors are named after their classes (RegistryError, …);
  // keep the names through minification so that error.name stays readable.
  esbuild: { keepNames: true },
  build: { target: "es2022" },
});
