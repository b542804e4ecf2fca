// zstd layers on Web Workers (Deno, from the TypeScript sources; Chromium,
// from a page whose bundle finds the worker and zstd.wasm as files beside it)
// give the same digest, DiffID and size as Node's (on its worker threads), on
// 1, 2 and 3 threads and each runtime with its own chunking; the workers did
// run (zstd's are counted); and Node's bytes are what `zstd -d` restores.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import * as lib from "../../src/index.ts";
import playwrightConfig from "../../playwright.config.ts";
import { chunkedStream, collect, tarLikeBytes } from "../support/bytes.ts";
import { sha256 } from "../support/tools.ts";
import { browserBundle, serveFiles } from "./_served_files.ts";
import { oneZstdLayerDigest, ZSTD_WORKER_LEVELS, ZSTD_WORKER_SIZES, ZSTD_WORKER_THREADS, zstdWorkerLayers, type ZstdWorkerLayer } from "./zstd_workers_probe.ts";

const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");
type Answer = Awaited<ReturnType<typeof zstdWorkerLayers>>;

async function inDeno(): Promise<Answer> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, join(import.meta.dirname, "zstd_workers_deno.ts")];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, timeout: 300_000, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as Answer;
}

/** The page's layers; `csp`, if given, is the page's Content-Security-Policy. */
async function inChromium(csp?: string): Promise<Answer> {
  return inPage("zstdWorkerLayers", csp);
}

/** Calls the page's function `entry`; `workerScript` replaces zstd's worker script. */
async function inPage<T>(entry: string, csp?: string, workerScript?: string): Promise<T> {
  const [page, worker, hashWorker] = await Promise.all([
    browserBundle("test/compress/zstd_workers_page.ts"),
    browserBundle("src/compress/zstd/_zstd_block_web_worker.ts"),
    browserBundle("src/hash/_sha256_worker.ts"),
  ]);
  const server = await serveFiles({
    "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>`, headers: csp ? { "content-security-policy": csp } : {} },
    "/page.js": { type: "text/javascript", body: page },
    "/_zstd_block_web_worker.js": { type: "text/javascript", body: workerScript ?? worker },
    "/_sha256_worker.js": { type: "text/javascript", body: hashWorker },
    "/zstd.wasm": { type: "application/wasm", body: readFileSync(join(ROOT, "src/compress/zstd/zstd.wasm")) },
  });
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const tab = await browser.newPage();
    await tab.goto(server.url);
    await tab.waitForFunction(() => "zstdWorkerLayers" in globalThis, undefined, { timeout: 120_000 }); // a loaded machine may take a while
    return await tab.evaluate((name) => (globalThis as unknown as Record<string, () => Promise<T>>)[name]!(), entry);
  } finally {
    await browser.close();
    await server.stop();
  }
}

describe("zstd layers on Web Workers: the same bytes as Node's", () => {
  let node: ZstdWorkerLayer[];
  before(async () => {
    node = (await zstdWorkerLayers(lib, 1)).layers;
  });

  test("Node's layers are what zstd -d restores, and alike on 1, 2 and 3 threads", { timeout: 120_000 }, async () => {
    assert.equal(node.length, ZSTD_WORKER_LEVELS.length * ZSTD_WORKER_SIZES.length * ZSTD_WORKER_THREADS.length);
    for (const level of ZSTD_WORKER_LEVELS) {
      for (const length of ZSTD_WORKER_SIZES) {
        const layers = node.filter((layer) => layer.level === level && layer.length === length);
        assert.equal(new Set(layers.map((layer) => layer.digest)).size, 1, `one digest for ${length} bytes at level ${level} on every number of threads`);
        const bytes = tarLikeBytes(length, 4242);
        const zstd = await collect(new lib.StreamLayer(chunkedStream(bytes).stream, { compression: "zstd", level, requireTar: false }).compressed());
        assert.equal(sha256(zstd), layers[0]!.digest);
        assert.ok(execFileSync("zstd", ["-d", "-c"], { input: zstd, maxBuffer: 64 << 20 }).equals(bytes), `zstd -d restores ${length} bytes`);
      }
    }
  });

  for (const [runtime, run] of [["Deno", inDeno], ["Chromium", () => inChromium()]] as const) {
    test(`${runtime}: the same layers, made on Web Workers`, { timeout: 300_000 }, async () => {
      const { layers, workersStarted } = await run();
      assert.deepEqual(layers, node);
      // Each layer of more than one block on 2 or 3 threads starts at least one worker.
      const multiBlock = ZSTD_WORKER_SIZES.filter((length) => length > 2 * 1024 * 1024).length;
      assert.ok(workersStarted >= multiBlock * ZSTD_WORKER_LEVELS.length * 2, `${workersStarted} workers started`);
    });
  }

  test("Chromium, in a page whose Content-Security-Policy forbids workers: the same layers, on the page's thread", { timeout: 300_000 }, async () => {
    const { layers } = await inChromium("worker-src 'none'");
    assert.deepEqual(layers, node);
  });

  test("Chromium, with a worker script that never runs (it waits for ever): the layer is made on the page's thread once the workers' time to be ready is up", { timeout: 120_000 }, async () => {
    const digest = await inPage<string>("oneZstdLayerDigest", undefined, "await new Promise(() => {});");
    assert.equal(digest, await oneZstdLayerDigest(lib));
  });
});
