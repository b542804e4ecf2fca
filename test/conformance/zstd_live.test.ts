// zstd layers checked live across the four runtimes: the same seeded inputs
// (empty, 1 byte, either side of zstd's 128 KiB block and of 1 MiB, a few MiB
// with an odd tail) at levels -3, 1, 3 and 12 are made into zstd layers in
// Node, in Deno, in workerd and in Chromium, each with its own chunking and
// its own way of loading zstd.wasm (read from disk; fetched from a file: URL;
// a module of the Worker; fetched from the page's server), and their digests,
// DiffIDs and sizes must agree with one another. `zstd -d` restores Node's
// bytes; equal digests make them every runtime's.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import * as lib from "../../src/index.ts";
import playwrightConfig from "../../playwright.config.ts";
import { startPageServer } from "../runtimes/chromium/server.ts";
import { startWorker } from "../runtimes/workerd/_workerd.ts";
import { tarLikeBytes } from "../support/bytes.ts";
import { ZSTD_LIVE_LEVELS, ZSTD_LIVE_SEED, ZSTD_LIVE_SIZES, zstdLayers, type ZstdLiveLayer } from "./zstd_live_probe.ts";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");
const NO_REGISTRY = "127.0.0.1:9";

async function inDeno(): Promise<ZstdLiveLayer[]> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, join(import.meta.dirname, "zstd_live_deno.ts")];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as ZstdLiveLayer[];
}

async function inWorkerd(): Promise<ZstdLiveLayer[]> {
  const worker = await startWorker(NO_REGISTRY, "../../conformance/zstd_live_worker.ts");
  try {
    const response = await worker.fetch("/");
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as ZstdLiveLayer[];
  } finally {
    await worker.stop();
  }
}

async function inChromium(): Promise<ZstdLiveLayer[]> {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, "zstd_live_page.ts")], bundle: true, write: false, format: "esm", platform: "browser", tsconfig: PORTABLE_TSCONFIG, target: "es2022", logLevel: "warning" });
  const server = await startPageServer(`http://${NO_REGISTRY}`);
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text, type: "module" });
    await page.waitForFunction(() => "zstdLayers" in globalThis);
    return await page.evaluate(() => (globalThis as unknown as { zstdLayers(): Promise<ZstdLiveLayer[]> }).zstdLayers());
  } finally {
    await browser.close();
    await server.stop();
  }
}

test("zstd layers: Node, Deno, workerd and Chromium give the same digest, DiffID and size", { timeout: 480_000 }, async () => {
  let restored = 0;
  const node = await zstdLayers(lib, 1, (layer, zstd) => {
    const tar = execFileSync("zstd", ["-d", "-c"], { input: zstd, maxBuffer: 64 << 20 });
    assert.ok(tar.equals(tarLikeBytes(layer.length, ZSTD_LIVE_SEED)), `zstd -d restores the ${layer.length}-byte input at level ${layer.level}`);
    assert.equal(sha256(tar), layer.diffID, "DiffID");
    assert.equal(sha256(zstd), layer.digest, "digest");
    assert.equal(layer.mediaType, lib.OCI_LAYER_ZSTD);
    restored++;
  });
  assert.equal(restored, ZSTD_LIVE_LEVELS.length * ZSTD_LIVE_SIZES.length);
  // One after the other: the machine is shared and each run is CPU-bound.
  const others: [string, ZstdLiveLayer[]][] = [["deno", await inDeno()], ["workerd", await inWorkerd()], ["chromium", await inChromium()]];
  for (const [runtime, layers] of others) assert.deepEqual(layers, node, `${runtime} agrees with Node`);
  // Not all alike: the levels and sizes give different layers (0 and 1 byte aside, stored the same at every level).
  const compressible = node.filter((layer) => layer.length > 1);
  assert.equal(new Set(compressible.map((layer) => layer.digest)).size, compressible.length);
});
