// Deterministic layers checked live across the four runtimes: the same seeded
// inputs (empty, 1 byte, either side of a block, a few MiB with an odd tail)
// at levels 1 and 6 are made into layers with `deterministic: true` in Node,
// in Deno, in workerd and in Chromium, each with its own chunking, and their
// digests, DiffIDs and sizes must agree with one another, not with a record.
// gunzip(1) restores Node's bytes; equal digests make them every runtime's.
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
import { deterministicLayers, LIVE_LEVELS, LIVE_SEED, LIVE_SIZES, type LiveLayer } from "./deterministic_live_probe.ts";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");
// Nothing here reaches a registry; the runners want an address all the same.
const NO_REGISTRY = "127.0.0.1:9";

async function inDeno(): Promise<LiveLayer[]> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, join(ROOT, "test/runtimes/deno/deterministic_probe.ts")];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as LiveLayer[];
}

async function inWorkerd(): Promise<LiveLayer[]> {
  const worker = await startWorker(NO_REGISTRY, "deterministic_worker.ts");
  try {
    const response = await worker.fetch("/");
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as LiveLayer[];
  } finally {
    await worker.stop();
  }
}

async function inChromium(): Promise<LiveLayer[]> {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, "deterministic_live_page.ts")], bundle: true, write: false, format: "esm", platform: "browser", tsconfig: PORTABLE_TSCONFIG, target: "es2022", logLevel: "warning" });
  const server = await startPageServer(`http://${NO_REGISTRY}`);
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url); // 127.0.0.1: a secure context, as WebCrypto wants
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text, type: "module" });
    await page.waitForFunction(() => "deterministicLayers" in globalThis);
    return await page.evaluate(() => (globalThis as unknown as { deterministicLayers(): Promise<LiveLayer[]> }).deterministicLayers());
  } finally {
    await browser.close();
    await server.stop();
  }
}

test("deterministic layers: Node, Deno, workerd and Chromium give the same digest, DiffID and size", { timeout: 300_000 }, async () => {
  const gunzipped: string[] = [];
  const node = await deterministicLayers(lib, 1, (layer, gzip) => {
    const restored = execFileSync("gunzip", ["-c"], { input: gzip, maxBuffer: 64 << 20 });
    assert.ok(restored.equals(tarLikeBytes(layer.length, LIVE_SEED)), `gunzip restores the ${layer.length}-byte input at level ${layer.level}`);
    assert.equal(sha256(restored), layer.diffID, "DiffID");
    assert.equal(sha256(gzip), layer.digest, "digest");
    gunzipped.push(`${layer.level}/${layer.length}`);
  });
  assert.equal(gunzipped.length, LIVE_LEVELS.length * LIVE_SIZES.length);
  // One after the other: the machine is shared and each run is CPU-bound.
  const others: [string, LiveLayer[]][] = [["deno", await inDeno()], ["workerd", await inWorkerd()], ["chromium", await inChromium()]];
  for (const [runtime, layers] of others) {
    assert.deepEqual(layers.map(({ level, length, digest, diffID, size, gzipLength }) => ({ level, length, digest, diffID, size, gzipLength })), node, `${runtime} agrees with Node`);
  }
  // Not all alike: the levels and sizes give different layers.
  assert.equal(new Set(node.map((layer) => layer.digest)).size, node.length);
});
