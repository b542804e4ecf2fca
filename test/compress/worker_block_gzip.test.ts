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
import { forbiddenWorkersCase, workerCases } from "./worker_block_gzip_cases.ts";
import type { WorkerCaseResult } from "./worker_block_gzip_run.ts";
import { pageWithBlockWorker, serveFiles } from "./_served_files.ts";

const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");

async function inDeno(): Promise<WorkerCaseResult[]> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, join(import.meta.dirname, "worker_block_gzip_deno.ts")];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, timeout: 240_000, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as WorkerCaseResult[];
}

/** Runs the page's `runWorkerCases`, or another function of it, in a page whose document has `csp` if given. */
async function inChromium(entry = "runWorkerCases", csp?: string): Promise<WorkerCaseResult[]> {
  const files = await pageWithBlockWorker("test/compress/worker_block_gzip_page.ts");
  if (csp) files["/"]!.headers = { "content-security-policy": csp };
  const server = await serveFiles(files);
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "runWorkerCases" in globalThis);
    return await page.evaluate((name) => (globalThis as unknown as Record<string, () => Promise<WorkerCaseResult[]>>)[name]!(), entry);
  } finally {
    await browser.close();
    await server.stop();
  }
}

for (const [runtime, runAll] of [["deno", inDeno], ["chromium", () => inChromium()]] as const) {
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


test("parallel-pako in chromium, in a page whose Content-Security-Policy forbids workers", { timeout: 120_000 }, async () => {
  const [result] = await inChromium("runForbiddenWorkersCase", "worker-src 'none'");
  assert.equal(result?.name, forbiddenWorkersCase.name);
  assert.equal(result.error, undefined);
});
