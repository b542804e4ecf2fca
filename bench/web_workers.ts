// Web Workers against the bare CompressionStream pipeline, in Deno and in
// Chromium: the same tarball through each case of web_workers_probe.ts,
// rounds rotating the order; per case the median time, and the median and
// spread (min–max) of its time ratio to CompressionStream's in the same round.
// Run alone: node --import tsx bench/web_workers.ts (BENCH_WORKERS_MIB, BENCH_WORKERS_ROUNDS)
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import playwrightConfig from "../playwright.config.ts";
import { pageWithBlockWorker, serveFiles } from "../test/compress/_served_files.ts";
import { benchTarball, MiB } from "./fixture.ts";
import { WEB_WORKER_CASES } from "./web_workers_probe.ts";

const ROOT = join(import.meta.dirname, "..");
const SIZE_MIB = Number(process.env.BENCH_WORKERS_MIB ?? 64);
const ROUNDS = Number(process.env.BENCH_WORKERS_ROUNDS ?? 3);

type Round = Record<string, number>;

export async function main(): Promise<void> {
  const tarball = await benchTarball(SIZE_MIB * MiB);
  console.log(`\nWeb Workers (parallel-pako) against the bare CompressionStream pipeline: ${SIZE_MIB} MiB tar of real files, ${ROUNDS} rotating rounds`);
  report("Deno", await inDeno(tarball));
  report("Chromium", await inChromium(tarball));
}

async function inDeno(tarball: string): Promise<Round[]> {
  const deno = createRequire(import.meta.url).resolve("deno/bin.cjs");
  const args = [deno, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT},${dirname(tarball)}`, join(ROOT, "bench/web_workers_deno.ts"), tarball, String(ROUNDS)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: MiB, env: { ...process.env, NO_COLOR: "1" } });
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Round);
}

async function inChromium(tarball: string): Promise<Round[]> {
  // The page's bundle loads its worker as a bundler user's would: a file beside it.
  const files = await pageWithBlockWorker("bench/web_workers_page.ts");
  files["/input"] = { type: "application/x-tar", body: await readFile(tarball) };
  const server = await serveFiles(files);
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "webWorkerRound" in globalThis, undefined, { timeout: 60_000 });
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push(await page.evaluate((n) => (globalThis as unknown as { webWorkerRound(n: number): Promise<Round> }).webWorkerRound(n), round));
    }
    return rounds;
  } finally {
    await browser.close();
    await server.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function report(runtime: string, rounds: Round[]): void {
  const baseline = WEB_WORKER_CASES[0];
  console.log(`${runtime}:`);
  for (const name of WEB_WORKER_CASES) {
    const times = rounds.map((round) => round[name]!);
    // Speed as a multiple of CompressionStream's, round by round: above 1 is faster.
    const speedups = rounds.map((round) => round[baseline]! / round[name]!);
    const ms = median(times);
    console.log(
      `  ${name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms ${((SIZE_MIB * MiB) / 1e6 / (ms / 1000)).toFixed(1).padStart(7)} MB/s   speed ×${median(speedups).toFixed(2)} of CompressionStream (spread ${Math.min(...speedups).toFixed(2)}–${Math.max(...speedups).toFixed(2)})`,
    );
  }
}

if (process.argv[1]?.endsWith("web_workers.ts")) await main();
