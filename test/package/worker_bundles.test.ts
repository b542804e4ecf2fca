// A browser app that installs the packed tarball and imports
// `streamlayer/worker`, bundled for production by webpack 5 (its default
// output) and by Vite (its default worker format, iife, and "es"): zero warnings, the push
// worker emitted as a file of its own, and the built app, served over HTTP in
// Chromium, pushing in that worker to a registry on another origin.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import playwrightConfig from "../../playwright.config.ts";
import { serveFiles, type ServedFile } from "../compress/_served_files.ts";
import { CORS } from "../runtimes/chromium/cors_headers.ts";
import { fetchCheckedBlob } from "../support/blob_check.ts";
import { tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { viteBundle, warningsToActOn, webpackBundle, type Bundle, type BundleOptions } from "./_browser_bundles.ts";
import { consumerProject, packPackage, type Packed } from "./_packed.ts";

// A string only the worker's script holds (its abort reason): where it is, the worker is.
const WORKER_MARK = "The push was aborted";

const APP = `
import { pushInWorker } from "streamlayer/worker";
globalThis.pushInWorker = pushInWorker;
`;

interface PagePush {
  thread?: string;
  reference?: string;
  layer?: { digest: string; size: number };
  error?: string;
}

let packed: Packed;
let project: Awaited<ReturnType<typeof consumerProject>>;
let registry: RunningRegistry;
let browser: Browser;
before(async () => {
  packed = await packPackage();
  project = await consumerProject(packed.tarball);
  writeFileSync(join(project.path, "package.json"), JSON.stringify({ name: "worker-app", private: true, type: "module" }));
  writeFileSync(join(project.path, "worker-app.js"), APP);
  registry = await startRegistry({ httpHeaders: CORS });
  browser = await chromium.launch(playwrightConfig.use?.launchOptions);
});
after(async () => {
  await browser?.close();
  await registry?.stop();
  await project?.remove();
  await packed?.remove();
});

/** Every file of the output folder, by its path in it. */
function outputFiles(bundle: Bundle): Record<string, Buffer> {
  const folder = join(bundle.entry, "..");
  const paths = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name)));
  return Object.fromEntries(paths.map((path) => [path, readFileSync(join(folder, path))]));
}

/** Serves the output with the entry loaded by a page, pushes a tar from the page, returns what the page saw. */
async function pushFromBuiltPage(bundle: Bundle, repository: string): Promise<PagePush> {
  const files: Record<string, ServedFile> = { "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><script type="module" src="/${relative(join(bundle.entry, ".."), bundle.entry)}"></script>` } };
  for (const [path, body] of Object.entries(outputFiles(bundle))) {
    files[`/${path}`] = { type: path.endsWith(".js") ? "text/javascript" : path.endsWith(".wasm") ? "application/wasm" : "application/octet-stream", body };
  }
  const server = await serveFiles(files);
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    await page.waitForFunction(() => "pushInWorker" in globalThis);
    // No named functions inside: the test runs through tsx, whose helpers the page does not have.
    return await page.evaluate(async ([reference, bytes]) => {
      try {
        const result = await (globalThis as unknown as { pushInWorker(reference: string, source: Blob): Promise<PagePush> }).pushInWorker(reference, new Blob([new Uint8Array(bytes)]));
        return { thread: result.thread, reference: result.reference, layer: result.layer };
      } catch (error) {
        return { error: String(error) };
      }
    }, [`${registry.host}/${repository}:1`, [...withTarHeader(tarLikeBytes(4096, 1))]] as const);
  } finally {
    await page.close();
    await server.stop();
  }
}

const BUILDS: [string, (project: string, options: BundleOptions) => Promise<Bundle>, BundleOptions][] = [
  // webpack's default output (classic scripts). With its experimental ES module output, webpack
  // 5.113 gives the worker a start that waits for zstd.wasm's chunk, which has no script to load, for ever.
  ["webpack 5", webpackBundle, { entry: "worker-app.js", output: "webpack-worker-dist", scripts: true }],
  ["Vite, default worker format (iife)", viteBundle, { entry: "worker-app.js", output: "vite-worker-dist" }],
  ["Vite, worker format es", viteBundle, { entry: "worker-app.js", output: "vite-es-worker-dist", workerFormat: "es" }],
];

for (const [name, bundle, options] of BUILDS) {
  describe(`streamlayer/worker, ${name}, production build`, () => {
    let built: Bundle;
    before(async () => {
      built = await bundle(project.path, options);
    });

    test("no warning, but webpack's size hint about zstd's WebAssembly", () => {
      assert.deepEqual(warningsToActOn(built.warnings), []);
    });

    test("the push worker is a file of its own, which the app's entry does not hold", () => {
      const files = outputFiles(built);
      const holders = Object.keys(files).filter((path) => path.endsWith(".js") && files[path]!.includes(WORKER_MARK));
      assert.equal(holders.length, 1, `one file holds the worker: ${holders.join(", ")}`);
      assert.notEqual(join(built.entry, "..", holders[0]!), built.entry);
    });

    test("in Chromium, the built app pushes in the worker, to a registry on another origin", async () => {
      const repository = `bundled/${options.output}`;
      const result = await pushFromBuiltPage(built, repository);
      assert.equal(result.error, undefined);
      assert.equal(result.thread, "worker");
      assert.match(result.reference ?? "", new RegExp(`^${registry.host}/${repository}@sha256:[0-9a-f]{64}$`));
      await fetchCheckedBlob(registry.url, repository, result.layer!.digest, result.layer!.size);
    });
  });
}
