// The size of a browser bundle of the core for an app that pushes a layer and
// never asks for a compression level: fflate (needed only for a level, for
// deterministic layers, or where nothing else compresses) is left in a chunk
// of its own that is never loaded; so is hash-wasm's SHA-256 (layers are hashed
// on a Web Worker in browsers: hash-wasm on the page's thread is the fallback
// when no worker loads, and hashes manifests), alone in a chunk loaded on demand;
// and so is the block gzip of deterministic layers and Node's parallel-zlib.
// Budget: the chunks loaded up front stay under 24 KiB gzipped. The figure
// docs/performance.md gives is checked against the one measured here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";

const KiB = 1024;
const BUDGET_GZIP = 24 * KiB;
const root = join(import.meta.dirname, "../..");
const PERFORMANCE_DOC = join(root, "docs/performance.md");
const APP = `
import { appendLayers, emptyImage, StreamLayer, writeImage } from "./src/index.ts";
export function push(file, reference) {
  return writeImage(reference, appendLayers(emptyImage(), new StreamLayer(file.stream())));
}`;

interface Measured {
  readonly minified: number;
  readonly gzipped: number;
  /** The source files in the chunks loaded up front. */
  readonly inputs: readonly string[];
  /** The code of those chunks. */
  readonly code: string;
  /** Whether some chunk holds fflate. */
  readonly fflateSplit: boolean;
  /** The chunks that hold hash-wasm, none of them loaded up front. */
  readonly hashWasmChunks: readonly HashWasmChunk[];
}

interface HashWasmChunk {
  /** Whether the chunks loaded up front import it with `import()`. */
  readonly importedDynamically: boolean;
  /** The code of the chunk. */
  readonly code: string;
}

const embeddedWasmModules = (code: string) => code.split("AGFzbQ").length - 1; // base64 of "\\0asm"

async function measure(): Promise<Measured> {
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
  // What a page loads up front: the entry chunk and the chunks it imports statically, transitively
  // (esbuild moves code shared with a lazily loaded chunk into a chunk of its own).
  const outputs = result.metafile.outputs;
  const [entryName] = Object.entries(outputs).find(([, output]) => output.entryPoint === "app.ts")!; // the app, not a lazily loaded entry
  const upFront = new Set([entryName]);
  for (const name of upFront) for (const imported of outputs[name]!.imports) if (imported.kind === "import-statement") upFront.add(imported.path);
  const fileOf = (name: string) => result.outputFiles.find((file) => file.path.endsWith(`/${name.split("/").at(-1)!}`))!.contents;
  const minified = [...upFront].reduce((sum, name) => sum + fileOf(name).length, 0);
  const gzipped = [...upFront].reduce((sum, name) => sum + gzipSync(fileOf(name), { level: 9 }).length, 0);
  const inputs = [...upFront].flatMap((name) => Object.keys(outputs[name]!.inputs));
  const code = new TextDecoder().decode(Buffer.concat([...upFront].map(fileOf)));
  console.log(`browser bundle of the core: ${(minified / KiB).toFixed(1)} KiB minified, ${(gzipped / KiB).toFixed(1)} KiB gzipped (budget ${BUDGET_GZIP / KiB} KiB)`);
  const fflateSplit = Object.values(outputs).some((output) => Object.keys(output.inputs).some((path) => path.includes("node_modules/fflate")));
  const dynamicImports = new Set([...upFront].flatMap((name) => outputs[name]!.imports.filter((imported) => imported.kind === "dynamic-import").map((imported) => imported.path)));
  const hashWasmChunks = Object.entries(outputs)
    .filter(([name, output]) => !upFront.has(name) && Object.keys(output.inputs).some((path) => path.includes("node_modules/hash-wasm")))
    .map(([name]) => ({ importedDynamically: dynamicImports.has(name), code: new TextDecoder().decode(fileOf(name)) }));
  return { minified, gzipped, inputs, code, fflateSplit, hashWasmChunks };
}

let measured: Measured;
before(async () => {
  measured = await measure();
});

test(`a browser bundle of the core stays under ${BUDGET_GZIP / KiB} KiB gzipped, without fflate, hash-wasm or the block gzip`, () => {
  const { gzipped, inputs, code, fflateSplit, hashWasmChunks } = measured;
  assert.ok(gzipped < BUDGET_GZIP, `${gzipped} bytes gzipped`);
  assert.deepEqual(inputs.filter((path) => path.includes("node_modules/fflate")), [], "fflate is not in the chunks loaded up front");
  assert.ok(fflateSplit, "fflate is in a chunk of its own, loaded on demand");
  assert.deepEqual(inputs.filter((path) => path.includes("node_modules/hash-wasm")), [], "hash-wasm is not in the chunks loaded up front");
  assert.equal(embeddedWasmModules(code), 0, "no embedded WebAssembly module up front");
  assert.deepEqual(inputs.filter((path) => /src\/compress\/_(block_gzip_stream|crc32|fixed_size_chunker|deterministic_gzip_stream)\.ts$/.test(path)), [], "the block gzip is not up front");
  // hash-wasm's SHA-256 alone, in one chunk the page loads with import() when it hashes on its own thread.
  assert.equal(hashWasmChunks.length, 1, "hash-wasm is in one chunk of its own");
  const [hashWasm] = hashWasmChunks;
  assert.ok(hashWasm!.importedDynamically, "the chunks loaded up front import hash-wasm's chunk on demand");
  assert.equal(embeddedWasmModules(hashWasm!.code), 1, "hash-wasm's chunk embeds one WebAssembly module: SHA-256, not every algorithm");
  assert.deepEqual(inputs.filter((path) => path.startsWith("node:") || path.includes("src/layout") || path.includes("src/cli")), []);
});

test("docs/performance.md gives the size this test measures, within 1 KiB", () => {
  const { gzipped } = measured;
  const documented = /\*\*([\d.]+) KiB gzipped\*\*/.exec(readFileSync(PERFORMANCE_DOC, "utf8"));
  assert.ok(documented, "docs/performance.md gives the bundle size as **<n> KiB gzipped**");
  const figure = `${(gzipped / KiB).toFixed(1)} KiB`;
  assert.ok(Math.abs(Number(documented[1]) * KiB - gzipped) <= KiB, `docs/performance.md says ${documented[1]} KiB gzipped, this test measured ${figure}: write ${figure} there`);
});
