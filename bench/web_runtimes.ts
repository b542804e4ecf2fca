// StreamLayer (default options: both SHA-256s and the size) against the bare
// CompressionStream pipeline (`source.pipeThrough(new CompressionStream("gzip"))`
// read to its end) in Chromium, Deno and workerd: the same tarball, in pieces
// of 64 KiB, the cases of each round in an order that rotates. Two measures
// per case: the wall time, and the CPU time of the runtime's threads (from
// /proc), which a busy machine disturbs much less: the thread that runs the
// JavaScript and compresses (Chromium's page, Deno's main thread), and the
// others (the hashing workers among them). Ratios are bare / StreamLayer within
// a round (above 1: StreamLayer is faster), as a median and min–max. Then
// memory with a slow consumer: the growth of the runtime's process (Chromium's
// renderer, which holds its workers; Deno's; workerd's) while a layer several
// times the tarball streams out.
// Run alone: BENCH_ONLY=web-runtimes npm run bench
//   BENCH_WEB_MIB, BENCH_WEB_ROUNDS, BENCH_WEB_CHUNK_KIB, BENCH_WEB_RUNTIMES=chromium,deno,workerd,
//   BENCH_WEB_MEMORY_TIMES, BENCH_WEB_EXTRA=1 (also the extra cases of web_runtimes_probe.ts),
//   BENCH_WEB_PULLED_MEMORY=1 (workerd's memory run with the pulled CompressionStream)
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import playwrightConfig from "../playwright.config.ts";
import { browserBundle, serveFiles } from "../test/compress/_served_files.ts";
import { startWorker } from "../test/runtimes/workerd/_workerd.ts";
import { heading, median, say, table } from "./_report.ts";
import { benchTarball, MiB } from "./fixture.ts";
import { EXTRA_CASES, WEB_RUNTIME_CASES, type WebRuntimeCase } from "./web_runtimes_probe.ts";

const ROOT = join(import.meta.dirname, "..");
const SIZE_MIB = Number(process.env.BENCH_WEB_MIB ?? 64);
const ROUNDS = Number(process.env.BENCH_WEB_ROUNDS ?? 5);
const CHUNK = Number(process.env.BENCH_WEB_CHUNK_KIB ?? 64) * 1024;
const RUNTIMES = (process.env.BENCH_WEB_RUNTIMES ?? "chromium,deno,workerd").split(",");
const MEMORY_TIMES = Number(process.env.BENCH_WEB_MEMORY_TIMES ?? 5);
const CONSUMER_BYTES_PER_SECOND = 8e6;
/** BENCH_WEB_PULLED_MEMORY=1: workerd's memory run with its CompressionStream driven by pull, instead of the default options. */
const PULLED_MEMORY = process.env.BENCH_WEB_PULLED_MEMORY === "1";
const GOALS: Record<string, number> = { Chromium: 1.0, Deno: 1.0, workerd: 0.95 };
/** Which extra cases mean something where: without a Worker global, Chromium hashes on the page's thread; workerd's CompressionStream driven by pull. */
const EXTRAS: Record<string, readonly WebRuntimeCase[]> = { Chromium: ["StreamLayer (hashes on this thread)"], Deno: [], workerd: ["StreamLayer (pulled CompressionStream)"] };

export interface Measure {
  wall: number;
  /** CPU ms of the busiest thread, the one that ran the JavaScript and compressed (Chromium, Deno), or of the whole process (workerd). */
  main: number;
  /** CPU ms of the process's other threads. */
  other: number;
}
export type Round = Partial<Record<WebRuntimeCase, Measure>>;
export interface Memory {
  baseline: number;
  peak: number;
  what: string;
}
export interface RuntimeRun {
  rounds: Round[];
  memory: Memory;
  /** What `main` stands for in this runtime. */
  mainThread: string;
}
type RunCase = (name: WebRuntimeCase) => Promise<void>;

export async function main(): Promise<void> {
  const tarball = await benchTarball(SIZE_MIB * MiB);
  heading("Web runtimes: StreamLayer against the bare CompressionStream pipeline");
  say(`${SIZE_MIB} MiB tar of real files (/usr), in pieces of ${CHUNK / 1024} KiB, ${ROUNDS} rounds after an untimed one, the cases rotating. Speed = bare / StreamLayer, round by round (above 1: StreamLayer is faster); goal ≥ 1.0 in Chromium and Deno, ≥ 0.95 in workerd. Wall time is what a user sees; CPU time of the thread that compresses (from /proc) is what a busy machine disturbs least.`, "");
  const runs: [string, RuntimeRun][] = [];
  for (const [runtime, measure] of [["Chromium", inChromium], ["Deno", inDeno], ["workerd", inWorkerd]] as const) {
    if (!RUNTIMES.includes(runtime.toLowerCase())) continue;
    const cases = [...WEB_RUNTIME_CASES, ...(process.env.BENCH_WEB_EXTRA ? EXTRAS[runtime]! : [])];
    const run = await measure(tarball, cases);
    console.error(`${runtime}: ${JSON.stringify(run)}`); // the raw figures, as they come
    runs.push([runtime, run]);
  }
  const [bare, layer] = WEB_RUNTIME_CASES;
  const rows: string[][] = [];
  for (const [runtime, run] of runs) {
    for (const name of [layer, ...EXTRA_CASES.filter((extra) => run.rounds[0]![extra])]) {
      const wall = run.rounds.map((round) => round[bare]!.wall / round[name]!.wall);
      const cpu = run.rounds.map((round) => round[bare]!.main / round[name]!.main);
      const goal = GOALS[runtime]!;
      rows.push([
        runtime,
        name,
        rate(median(run.rounds.map((round) => round[bare]!.wall))),
        rate(median(run.rounds.map((round) => round[name]!.wall))),
        `×${median(wall).toFixed(2)} (${Math.min(...wall).toFixed(2)}–${Math.max(...wall).toFixed(2)})`,
        `×${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}) ${run.mainThread}`,
        `${median(run.rounds.map((round) => round[name]!.other)).toFixed(0)} ms (bare ${median(run.rounds.map((round) => round[bare]!.other)).toFixed(0)})`,
        name === layer ? `≥ ${goal.toFixed(2)}: ${median(wall) >= goal ? "met" : "MISSED"} in wall time` : "",
      ]);
    }
  }
  table(["runtime", "case", "bare pipeline (wall)", "case (wall)", "speed, wall", "speed, CPU of the compressing thread", "CPU of other threads", "goal"], rows);
  say(`Memory with a slow consumer: StreamLayer (default options) over the tarball ${MEMORY_TIMES} times (${SIZE_MIB * MEMORY_TIMES} MiB), read at most ${CONSUMER_BYTES_PER_SECOND / 1e6} MB/s; growth above what the process held before the layer started (the tarball included).`, "");
  table(
    ["runtime", "measured", "before", "peak", "growth", "bound"],
    runs.map(([runtime, { memory }]) => {
      const growth = (memory.peak - memory.baseline) / MiB;
      return [runtime, memory.what, mib(memory.baseline), mib(memory.peak), `${growth.toFixed(1)} MiB`, `64 MiB: ${growth <= 64 ? "within" : "OVER"}`];
    }),
  );
}

const rate = (ms: number) => `${ms.toFixed(0)} ms, ${((SIZE_MIB * MiB) / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/**
 * Rounds of `cases`, the order rotating, each case measured in wall time and
 * in CPU time of the threads of `pids`: the busiest thread during the case is
 * the one that ran the JavaScript and compressed; the rest are the others
 * (workers, thread pools). With `whole`, the sum of all threads instead.
 */
async function rounds(cases: readonly WebRuntimeCase[], runCase: RunCase, pids: () => number[], whole = false): Promise<Round[]> {
  const out: Round[] = [];
  const tick = 1000 / 100; // USER_HZ: /proc counts CPU time in hundredths of a second
  // Each case once, untimed: what a runtime pays once (compiling zstd.wasm, the JIT) is not a layer's speed.
  for (const name of cases) await runCase(name);
  for (let round = 0; round < ROUNDS; round++) {
    const measures: Round = {};
    for (let i = 0; i < cases.length; i++) {
      const name = cases[(i + round) % cases.length]!;
      const before = threadTicks(pids());
      const processesBefore = processTicks(pids());
      const started = performance.now();
      await runCase(name);
      const wall = performance.now() - started;
      const spent = [...threadTicks(pids())].map(([thread, ticks]) => ticks - (before.get(thread) ?? 0));
      // The process's count keeps the time of threads that have ended (a layer's hashing workers are gone by now).
      const all = processTicks(pids()) - processesBefore;
      const busiest = whole ? all : Math.max(0, ...spent);
      measures[name] = { wall, main: busiest * tick, other: (all - busiest) * tick };
    }
    out.push(measures);
  }
  return out;
}

/** CPU ticks (user + system) of the processes `pids`, their ended threads included. */
function processTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a process that has ended
    }
  }
  return ticks;
}

/** CPU ticks (user + system) of every thread of `pids`, by pid/tid. */
function threadTicks(pids: readonly number[]): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of pids) {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        ticks.set(`${pid}/${task}`, Number(fields[11]) + Number(fields[12]));
      } catch {
        // a thread that ended between the listing and the read
      }
    }
  }
  return ticks;
}

/** Samples `measure` every 50 ms until `during` settles. */
async function peakDuring(measure: () => number, during: Promise<unknown>): Promise<number> {
  let peak = measure();
  let running = true;
  const settled = during.finally(() => (running = false));
  settled.catch(() => {}); // awaited below
  while (running) {
    peak = Math.max(peak, measure());
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 50))]).catch(() => {});
  }
  await during;
  return Math.max(peak, measure());
}

function residentBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) * 1024;
}

export async function inChromium(tarball: string, cases: readonly WebRuntimeCase[], zstdMemory = false, memoryTimes = MEMORY_TIMES): Promise<RuntimeRun> {
  // The page's bundle finds the hashing worker as a bundler user's would: a file beside it.
  const server = await serveFiles({
    "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>` },
    "/page.js": { type: "text/javascript", body: await browserBundle("bench/web_runtimes_page.ts") },
    "/_sha256_worker.js": { type: "text/javascript", body: await browserBundle("src/hash/_sha256_worker.ts") },
    // zstd's, where its loader and its Web Workers look for them (a bundler would copy them there).
    "/_zstd_block_web_worker.js": { type: "text/javascript", body: await browserBundle("src/compress/zstd/_zstd_block_web_worker.ts") },
    "/zstd.wasm": { type: "application/wasm", body: await readFile(join(ROOT, "src/compress/zstd/zstd.wasm")) },
    "/input": { type: "application/x-tar", body: await readFile(tarball) },
  });
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "timeCase" in globalThis, undefined, { timeout: 120_000 });
    const call = (name: string, ...args: unknown[]) =>
      page.evaluate(([name, args]) => (globalThis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!(...args), [name, args] as const);
    const measured = await rounds(cases, async (name) => void (await call("timeCase", name, CHUNK)), chromiumRenderers);
    // Ours, not another Chromium's on the machine: under this process. The
    // page's is the one that has worked through the rounds (seconds of CPU); a
    // spare one has not. (Picked before the rounds, a spare one could win.)
    const cpuOf = (pid: number) => [...threadTicks([pid]).values()].reduce((sum, ticks) => sum + ticks, 0);
    const renderer = chromiumRenderers().sort((a, b) => cpuOf(b) - cpuOf(a))[0];
    if (renderer === undefined) throw new Error("Cannot find the page's renderer process");
    const baseline = residentBytes(renderer);
    const peak = await peakDuring(() => residentBytes(renderer), call("slowConsumerLayer", memoryTimes, CHUNK, CONSUMER_BYTES_PER_SECOND, zstdMemory));
    return { rounds: measured, memory: { baseline, peak, what: "renderer process resident (the page and its workers)" }, mainThread: "(the busiest thread: the page's)" };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** The renderer processes among this process's descendants. */
function chromiumRenderers(): number[] {
  const descendants: number[] = [];
  for (let unseen = childrenOf(process.pid); unseen.length > 0;) {
    descendants.push(...unseen);
    unseen = unseen.flatMap(childrenOf);
  }
  return descendants.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
    } catch {
      return false;
    }
  });
}

export async function inDeno(tarball: string, cases: readonly WebRuntimeCase[], zstdMemory = false, memoryTimes = MEMORY_TIMES): Promise<RuntimeRun> {
  const deno = createRequire(import.meta.url).resolve("deno/bin.cjs");
  const args = [deno, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT},${dirname(tarball)}`, join(ROOT, "bench/web_runtimes_deno.ts"), tarball];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? "null") as unknown;
  try {
    await next(); // loaded
    // node runs deno's binary as its child: the process to measure is deno's.
    const denoPid = childrenOf(child.pid!)[0] ?? child.pid!;
    const measured = await rounds(cases, async (name) => {
      child.stdin!.write(`case ${name.replaceAll(" ", "_")} ${CHUNK}\n`);
      await next();
    }, () => [denoPid]);
    const baseline = residentBytes(denoPid);
    child.stdin!.write(`memory ${memoryTimes} ${CHUNK} ${CONSUMER_BYTES_PER_SECOND}${zstdMemory ? " 1" : ""}\n`);
    const peak = await peakDuring(() => residentBytes(denoPid), next());
    return { rounds: measured, memory: { baseline, peak, what: "process resident" }, mainThread: "(the busiest thread: Deno's main)" };
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

export async function inWorkerd(tarball: string, cases: readonly WebRuntimeCase[], zstdMemory = false, memoryTimes = MEMORY_TIMES): Promise<RuntimeRun> {
  const before = workerdProcesses();
  const worker = await startWorker("127.0.0.1:9", "../../../bench/web_runtimes_workerd.ts");
  try {
    const pid = workerdProcesses().find((candidate) => !before.includes(candidate));
    if (pid === undefined) throw new Error("Cannot find the workerd process");
    await (await worker.fetch("/input", { method: "POST", body: await readFile(tarball) })).json();
    // A Worker's clock stands still while it computes: each case is timed from here, one request each.
    const measured = await rounds(cases, async (name) => {
      const response = await worker.fetch(`/case?name=${encodeURIComponent(name)}&chunk=${CHUNK}`, { method: "POST" });
      if (!response.ok) throw new Error(`workerd: ${name}: ${await response.text()}`);
      await response.arrayBuffer();
    }, () => [pid], true);
    // The whole workerd process, which also sees what workerd holds natively
    // (its CompressionStream's buffers), where V8's count of the isolate would not.
    const baseline = worker.residentBytes();
    const peak = await peakDuring(() => worker.residentBytes(), readSlowly(await worker.fetch(`/layer?times=${memoryTimes}&chunk=${CHUNK}&pulled=${PULLED_MEMORY ? 1 : 0}&zstd=${zstdMemory ? 1 : 0}`)));
    return { rounds: measured, memory: { baseline, peak, what: `workerd process resident${PULLED_MEMORY && !zstdMemory ? ", CompressionStream driven by pull" : ""}` }, mainThread: "(all of workerd's threads)" };
  } finally {
    await worker.stop();
  }
}

function workerdProcesses(): number[] {
  return readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
    } catch {
      return false;
    }
  });
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
