// StreamLayer (default options: both SHA-256s and the size) against the bare
// CompressionStream pipeline (`source.pipeThrough(new CompressionStream("gzip"))`
// read to its end) in Chromium, Deno and workerd: the same tarball, in pieces
// of 64 KiB, the two cases in each round in an order that alternates; per
// runtime the median time of each and the median and spread (min–max) of the
// speed ratio bare time / StreamLayer time within a round (above 1: StreamLayer
// is faster). Then memory with a slow consumer: the growth of the runtime's
// process (Chromium's renderer, which holds its workers; Deno's process) or
// isolate (workerd) while a layer several times the tarball streams out.
// Run alone: BENCH_ONLY=web-runtimes npm run bench
//   (BENCH_WEB_MIB, BENCH_WEB_ROUNDS, BENCH_WEB_CHUNK_KIB, BENCH_WEB_RUNTIMES=chromium,deno,workerd)
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { chromium, type Page } from "playwright-core";
import playwrightConfig from "../playwright.config.ts";
import { browserBundle, serveFiles } from "../test/compress/_served_files.ts";
import { startWorker } from "../test/runtimes/workerd/_workerd.ts";
import { heading, median, say, table } from "./_report.ts";
import { benchTarball, MiB } from "./fixture.ts";
import { EXTRA_CASES, WEB_RUNTIME_CASES } from "./web_runtimes_probe.ts";

const ROOT = join(import.meta.dirname, "..");
const SIZE_MIB = Number(process.env.BENCH_WEB_MIB ?? 64);
const ROUNDS = Number(process.env.BENCH_WEB_ROUNDS ?? 5);
const CHUNK = Number(process.env.BENCH_WEB_CHUNK_KIB ?? 64) * 1024;
const RUNTIMES = (process.env.BENCH_WEB_RUNTIMES ?? "chromium,deno,workerd").split(",");
/** The slow consumer: a layer of MEMORY_TIMES × the tarball, read at most this fast. */
const MEMORY_TIMES = Number(process.env.BENCH_WEB_MEMORY_TIMES ?? 5);
const CONSUMER_BYTES_PER_SECOND = 8e6;
const GOALS: Record<string, number> = { Chromium: 1.0, Deno: 1.0, workerd: 0.95 };

type Round = Record<string, number>;
interface Memory {
  baseline: number;
  peak: number;
  what: string;
}
interface RuntimeRun {
  rounds: Round[];
  memory: Memory;
}

export async function main(): Promise<void> {
  const tarball = await benchTarball(SIZE_MIB * MiB);
  heading(`Web runtimes: StreamLayer against the bare CompressionStream pipeline`);
  say(`${SIZE_MIB} MiB tar of real files (/usr), in pieces of ${CHUNK / 1024} KiB; ${ROUNDS} rounds, the two cases alternating first; speed = bare time / StreamLayer time in the same round (goal: ≥ 1.0 in Chromium and Deno, ≥ 0.95 in workerd).`, "");
  const runs: [string, RuntimeRun][] = [];
  for (const [runtime, measure] of [["Chromium", inChromium], ["Deno", inDeno], ["workerd", inWorkerd]] as const) {
    if (!RUNTIMES.includes(runtime.toLowerCase())) continue;
    const run = await measure(tarball);
    console.error(`${runtime}: ${JSON.stringify(run)}`); // the raw rounds, as they come
    runs.push([runtime, run]);
  }
  const [bare, layer] = WEB_RUNTIME_CASES;
  table(
    ["runtime", "bare CompressionStream", "StreamLayer", "speed (median)", "spread (min–max)", "goal"],
    runs.map(([runtime, { rounds }]) => {
      const speeds = rounds.map((round) => round[bare]! / round[layer]!);
      const speed = median(speeds);
      return [runtime, rate(median(rounds.map((round) => round[bare]!))), rate(median(rounds.map((round) => round[layer]!))), `×${speed.toFixed(2)}`, `${Math.min(...speeds).toFixed(2)}–${Math.max(...speeds).toFixed(2)}`, `≥ ${GOALS[runtime]!.toFixed(2)} ${speed >= GOALS[runtime]! ? "(met)" : "(MISSED)"}`];
    }),
  );
  say(`Memory with a slow consumer: StreamLayer (default options) over the tarball ${MEMORY_TIMES} times (${SIZE_MIB * MEMORY_TIMES} MiB), read at most ${CONSUMER_BYTES_PER_SECOND / 1e6} MB/s; growth above the memory held before the layer started (the tarball included).`, "");
  table(
    ["runtime", "measured", "before", "peak", "growth", "bound"],
    runs.map(([runtime, { memory }]) => {
      const growth = (memory.peak - memory.baseline) / MiB;
      return [runtime, memory.what, mib(memory.baseline), mib(memory.peak), `${growth.toFixed(1)} MiB`, `64 MiB ${growth <= 64 ? "(within)" : "(OVER)"}`];
    }),
  );
}

const rate = (ms: number) => `${ms.toFixed(0)} ms, ${((SIZE_MIB * MiB) / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/** Samples `measure` every 50 ms until `during` settles; samples it cannot take (`undefined`) are skipped. */
async function sampleDuring(measure: () => Promise<number | undefined>, during: Promise<unknown>): Promise<{ first: number; peak: number }> {
  const samples: number[] = [];
  let running = true;
  const settled = during.finally(() => (running = false));
  settled.catch(() => {}); // awaited below
  while (running) {
    const sample = await measure();
    if (sample !== undefined) samples.push(sample);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 50))]).catch(() => {});
  }
  await during;
  if (samples.length === 0) throw new Error("No memory sample could be taken");
  return { first: samples[0]!, peak: Math.max(...samples) };
}

function residentBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) * 1024;
}

async function inChromium(tarball: string): Promise<RuntimeRun> {
  // The page's bundle finds the hashing worker as a bundler user's would: a file beside it.
  const server = await serveFiles({
    "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>` },
    "/page.js": { type: "text/javascript", body: await browserBundle("bench/web_runtimes_page.ts") },
    "/_sha256_worker.js": { type: "text/javascript", body: await browserBundle("src/hash/_sha256_worker.ts") },
    "/input": { type: "application/x-tar", body: await readFile(tarball) },
  });
  const before = chromiumRenderers();
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "webRuntimeRound" in globalThis, undefined, { timeout: 120_000 });
    const renderer = chromiumRenderers().find((pid) => !before.includes(pid));
    if (renderer === undefined) throw new Error("Cannot find the page's renderer process");
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await evaluate<Round>(page, "webRuntimeRound", round, CHUNK));
    const baseline = residentBytes(renderer);
    const { peak } = await sampleDuring(async () => residentBytes(renderer), evaluate(page, "slowConsumerLayer", MEMORY_TIMES, CHUNK, CONSUMER_BYTES_PER_SECOND));
    return { rounds, memory: { baseline, peak, what: "renderer process resident (page and its workers)" } };
  } finally {
    await browser.close();
    await server.stop();
  }
}

function evaluate<T>(page: Page, name: string, ...args: number[]): Promise<T> {
  return page.evaluate(([name, args]) => (globalThis as unknown as Record<string, (...args: number[]) => Promise<T>>)[name]!(...args), [name, args] as const) as Promise<T>;
}

function chromiumRenderers(): number[] {
  return readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer") && process.getuid?.() === Number(/Uid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    } catch {
      return false;
    }
  });
}

async function inDeno(tarball: string): Promise<RuntimeRun> {
  const deno = createRequire(import.meta.url).resolve("deno/bin.cjs");
  const args = [deno, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT},${dirname(tarball)}`, join(ROOT, "bench/web_runtimes_deno.ts"), tarball];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>() => JSON.parse(((await lines.next()).value as string | undefined) ?? "null") as T;
  try {
    await next(); // loaded
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      child.stdin!.write(`round ${round} ${CHUNK}\n`);
      rounds.push(await next<Round>());
    }
    // node runs deno's binary as its child: the process to measure is deno's.
    const denoPid = childrenOf(child.pid!)[0] ?? child.pid!;
    const baseline = residentBytes(denoPid);
    child.stdin!.write(`memory ${MEMORY_TIMES} ${CHUNK} ${CONSUMER_BYTES_PER_SECOND}\n`);
    const { peak } = await sampleDuring(async () => residentBytes(denoPid), next());
    return { rounds, memory: { baseline, peak, what: "process resident" } };
  } finally {
    child.stdin!.end();
    child.kill();
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

async function inWorkerd(tarball: string): Promise<RuntimeRun> {
  const worker = await startWorker("127.0.0.1:9", "../../../bench/web_runtimes_workerd.ts");
  try {
    await (await worker.fetch("/input", { method: "POST", body: await readFile(tarball) })).json();
    const rounds: Round[] = [];
    const cases = process.env.BENCH_WEB_PULLED ? [...WEB_RUNTIME_CASES, ...EXTRA_CASES] : WEB_RUNTIME_CASES;
    for (let round = 0; round < ROUNDS; round++) {
      const times: Round = {};
      for (let i = 0; i < cases.length; i++) {
        const name = cases[(i + round) % cases.length]!;
        const started = performance.now();
        const response = await worker.fetch(`/case?name=${encodeURIComponent(name)}&chunk=${CHUNK}`, { method: "POST" });
        if (!response.ok) throw new Error(`workerd: ${name}: ${await response.text()}`);
        await response.arrayBuffer();
        times[name] = performance.now() - started;
      }
      rounds.push(times);
    }
    // The whole workerd process, which also sees what workerd holds natively
    // (its CompressionStream's buffers), where V8's count of the isolate would not.
    const baseline = worker.residentBytes();
    const { peak } = await sampleDuring(async () => worker.residentBytes(), readSlowly(await worker.fetch(`/layer?times=${MEMORY_TIMES}&chunk=${CHUNK}&pulled=${process.env.BENCH_WEB_PULLED ? 1 : 0}`)));
    return { rounds, memory: { baseline, peak, what: "workerd process resident" } };
  } finally {
    await worker.stop();
  }
}

async function readSlowly(response: Response): Promise<number> {
  const started = performance.now();
  let received = 0;
  for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
    const due = (received / CONSUMER_BYTES_PER_SECOND) * 1000 - (performance.now() - started);
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
  }
  return received;
}

if (process.argv[1]?.endsWith("web_runtimes.ts")) await main();
