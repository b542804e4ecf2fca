// The size of a browser bundle of the core for an app that pushes a layer and
// never asks for a compression level: fflate (needed only for a level, for
// deterministic layers, or where nothing else compresses) is left in a chunk
// of its own that is never loaded, and hash-wasm brings its SHA-256 only.
// Budget: the chunk loaded up front stays under 24 KiB gzipped.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";

const KiB = 1024;
const BUDGET_GZIP = 24 * KiB;
const root = join(import.meta.dirname, "../..");
const APP = `
import { appendLayers, emptyImage, StreamLayer, writeImage } from "./src/index.ts";
export function push(file, reference) {
  return writeImage(reference, appendLayers(emptyImage(), new StreamLayer(file.stream())));
}`;

test(`a browser bundle of the core stays under ${BUDGET_GZIP / KiB} KiB gzipped, without fflate, with one WebAssembly module`, async () => {
  const result = await build({
    stdin: { contents: APP, resolveDir: root, loader: "ts", sourcefile: "app.ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    tsconfig: PORTABLE_TSCONFIG,
    splitting: true,
    minify: true,
    outdir: join(root, ".tmp/bundle-size"),
    metafile: true,
    logLevel: "silent",
  });
  const [entryName, entry] = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined)!;
  const code = result.outputFiles.find((file) => file.path.endsWith(entryName.split("/").at(-1)!))!.contents;
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`browser bundle of the core: ${(code.length / KiB).toFixed(1)} KiB minified, ${(gzipped / KiB).toFixed(1)} KiB gzipped (budget ${BUDGET_GZIP / KiB} KiB)`);

  assert.ok(gzipped < BUDGET_GZIP, `${gzipped} bytes gzipped`);
  assert.deepEqual(Object.keys(entry.inputs).filter((path) => path.includes("node_modules/fflate")), [], "fflate is not in the chunk loaded up front");
  const fflateChunk = Object.values(result.metafile.outputs).find((output) => Object.keys(output.inputs).some((path) => path.includes("node_modules/fflate")));
  assert.ok(fflateChunk, "fflate is in a chunk of its own, loaded on demand");
  const wasmModules = new TextDecoder().decode(code).split("AGFzbQ").length - 1; // base64 of "\\0asm"
  assert.equal(wasmModules, 1, "one embedded WebAssembly module: hash-wasm's SHA-256");
  assert.deepEqual(Object.keys(entry.inputs).filter((path) => path.startsWith("node:") || path.includes("src/layout") || path.includes("src/cli")), []);
});
