// parallel-pako (blocks deflated by Web Workers) where Web Workers are: in
// Deno, from the TypeScript sources, and in Chromium, from a page whose bundle
// loads the worker as a file beside it, as a bundler user's would. The cases
// are in worker_block_gzip_cases.ts; here each runtime runs them all and each
// result becomes a test.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import playwrightConfig from "../../playwright.config.ts";
import { workerCases } from "./worker_block_gzip_cases.ts";
import type { WorkerCaseResult } from "./worker_block_gzip_run.ts";
import { pageWithBlockWorker, serveFiles } from "./_served_files.ts";

const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");

async function inDeno(): Promise<WorkerCaseResult[]> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, join(import.meta.dirname, "worker_block_gzip_deno.ts")];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, timeout: 240_000, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as WorkerCaseResult[];
}

async function inChromium(): Promise<WorkerCaseResult[]> {
  const server = await serveFiles(await pageWithBlockWorker("test/compress/worker_block_gzip_page.ts"));
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "runWorkerCases" in globalThis);
    return await page.evaluate(() => (globalThis as unknown as { runWorkerCases(): Promise<WorkerCaseResult[]> }).runWorkerCases());
  } finally {
    await browser.close();
    await server.stop();
  }
}

for (const [runtime, runAll] of [["deno", inDeno], ["chromium", inChromium]] as const) {
  describe(`parallel-pako in ${runtime}`, () => {
    let results: WorkerCaseResult[];
    before(async () => (results = await runAll()), { timeout: 300_000 });
    for (const { name } of workerCases) {
      test(name, () => {
        const result = results.find((candidate) => candidate.name === name);
        assert.ok(result, "the case ran");
        assert.equal(result.error, undefined);
      });
    }
  });
}

