// The layer's SHA-256 on a Web Worker (src/hash/_worker_sha256.ts) where Web
// Workers are: in Deno, from the TypeScript sources, and in Chromium, from a
// page whose bundle finds the worker as a file beside it, as a bundler user's
// would. Each runtime runs the cases of worker_sha256_cases.ts; here Node
// checks each answer with its own SHA-256 and gunzip.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import playwrightConfig from "../../playwright.config.ts";
import { browserBundle, serveFiles } from "../compress/_served_files.ts";
import { caseBytes, DIGEST_CASES, type WorkerCaseResult } from "./worker_sha256_cases.ts";

const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const LAYER_BYTES = caseBytes(6 * (1 << 20) + 123, 77);

async function inDeno(): Promise<WorkerCaseResult[]> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, join(import.meta.dirname, "worker_sha256_deno.ts")];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20, timeout: 240_000, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as WorkerCaseResult[];
}

async function inChromium(): Promise<WorkerCaseResult[]> {
  const server = await serveFiles({
    "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>` },
    "/page.js": { type: "text/javascript", body: await browserBundle("test/hash/worker_sha256_page.ts") },
    "/_sha256_worker.js": { type: "text/javascript", body: await browserBundle("src/hash/_sha256_worker.ts") },
  });
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

type Answer = Record<string, unknown>;
/** Where StreamLayer's hashes run: Deno has node:crypto (no worker), Chromium a worker for each. */
const LAYER_WORKERS = { deno: 0, chromium: 2 } as const;

for (const [runtime, runAll] of [["deno", inDeno], ["chromium", inChromium]] as const) {
  describe(`the layer's SHA-256 on a Web Worker, in ${runtime}`, () => {
    let results: WorkerCaseResult[];
    before(async () => (results = await runAll()), { timeout: 300_000 });
    const answer = (name: string): Answer => {
      const result = results.find((candidate) => candidate.name === name);
      assert.ok(result, "the case ran");
      assert.equal(result.error, undefined);
      return result.answer!;
    };
    const workersStopped = (answer: Answer, made: number) => {
      assert.equal(answer.made, made, "workers made");
      assert.equal(answer.terminated, made, "every worker made was terminated");
    };

    for (const { name, length } of DIGEST_CASES) {
      test(`digest of ${name} equals node:crypto's`, () => {
        assert.equal(answer(`digest of ${name}`).digest, sha256(caseBytes(length, 7)));
      });
    }
    for (const name of ["a worker that does not load: the pieces are hashed on this thread instead", "no Worker can be made: the pieces are hashed on this thread instead", "a worker that fails just before digest: digest waits for this thread's hash to load"]) {
      test(name, () => assert.equal(answer(name).digest, sha256(caseBytes(3 * (1 << 20) + 5, 7))));
    }
    test("close stops the worker and fails the digest", () => {
      const closed = answer("close stops the worker and fails the digest");
      assert.match(String(closed.digest), /^rejected Error: Cannot hash: the hash was closed/);
      workersStopped(closed, 1);
    });
    test("StreamLayer: the DiffID and Digest equal node:crypto's, the gzip gunzips to the input", () => {
      const layer = answer("StreamLayer: digests and gzip bytes");
      const gzip = Buffer.from(String(layer.gzip), "base64");
      assert.equal(layer.diffID, `sha256:${sha256(LAYER_BYTES)}`);
      assert.equal(layer.digest, `sha256:${sha256(gzip)}`);
      assert.equal(layer.size, gzip.length);
      assert.ok(gunzipSync(gzip).equals(LAYER_BYTES), "gunzip gives the input back");
      workersStopped(layer, LAYER_WORKERS[runtime]);
    });
    test("StreamLayer: a cancel mid-stream settles every value and terminates the workers", () => {
      const cancelled = answer("StreamLayer: a cancel mid-stream settles every value and terminates the workers");
      for (const value of ["digest", "diffID", "size"]) assert.match(String(cancelled[value]), /^rejected NotComputedError/);
      workersStopped(cancelled, LAYER_WORKERS[runtime]);
    });
    test("StreamLayer: a failing source fails everything and terminates the workers", () => {
      const failed = answer("StreamLayer: a failing source fails everything and terminates the workers");
      for (const value of ["read", "digest", "diffID", "size"]) assert.match(String(failed[value]), /^rejected Error: the source failed/);
      workersStopped(failed, LAYER_WORKERS[runtime]);
    });
    test("createLayerSha256 takes a worker in Chromium, node:crypto in Deno", () => {
      const created = answer("createLayerSha256 takes a worker here unless the runtime has a native SHA-256");
      assert.equal(created.digest, sha256(caseBytes(100, 1)));
      workersStopped(created, LAYER_WORKERS[runtime] / 2);
    });
  });
}
