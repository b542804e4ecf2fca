// `npm run bench`: StreamLayer against go-containerregistry's design and pigz,
// then throughput of each compressor bare and inside StreamLayer, then peak
// memory of a 1 GiB layer read slowly, then pushes. Sizes can be lowered for a
// quick look: BENCH_MIB=64 BENCH_MEMORY_GIB=0.25 npm run bench
// BENCH_ONLY=compare (or throughput, memory, push, web-workers, web-runtimes, zstd, cli;
// several with commas) runs only those sections. What it prints is Markdown,
// and it is written into docs/performance.md between its markers, in place
// of the last run of the same sections, unless BENCH_DOCS=0.
import { execFile, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { promisify } from "node:util";
import { writePerformanceDoc } from "./_docs.ts";
import { captured, heading, keptLines, say, table } from "./_report.ts";
import { main as cliBench } from "./cli.ts";
import { main as compareWithGo } from "./compare.ts";
import { main as webRuntimes } from "./web_runtimes.ts";
import { main as webWorkers } from "./web_workers.ts";
import { main as zstdBench } from "./zstd.ts";
import { benchTarball, MiB, readChunks } from "./fixture.ts";
import { measureThroughput, throughputCaseNames } from "./throughput.ts";

const run = promisify(execFile);
const THROUGHPUT_MIB = Number(process.env.BENCH_MIB ?? 256);
const MEMORY_GIB = Number(process.env.BENCH_MEMORY_GIB ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const GO_REFERENCE = "go-containerregistry v0.11.0 stream.Layer, measured here: 97 MB/s at level 1, 39 MB/s at level 6, 8 MiB";
const MEMORY_CASES = [
  "StreamLayer auto",
  "StreamLayer parallel-zlib level 1",
  "StreamLayer zlib level 1",
  "StreamLayer fflate level 1",
  "naive tee + CompressionStream",
];
const only = process.env.BENCH_ONLY?.split(",");
const selected = (section: string) => only === undefined || only.includes(section);

machine();
const tarball = await benchTarball(THROUGHPUT_MIB * MiB);

if (selected("compare")) await section("Against go-containerregistry and pigz", async () => void (await compareWithGo()));
if (selected("throughput")) await throughput();
if (selected("memory")) await memory();
if (selected("push")) await section("Pushes", push);
if (selected("web-runtimes")) await webRuntimes();
if (selected("web-workers")) await section("Web Workers (parallel-pako)", webWorkers);
if (selected("zstd")) await zstdBench(); // Node, Chromium, Deno and workerd: bench/zstd.ts
if (selected("cli")) await cliBench();
if (process.env.BENCH_DOCS !== "0") console.log(`\nwritten to ${writePerformanceDoc(keptLines(), only?.join(",") ?? "all")}`);

async function section(title: string, run: () => Promise<void>): Promise<void> {
  heading(title);
  await captured(run);
}

/** What ran the bench, and how busy the machine was when it started. */
function machine(): void {
  const load = loadavg().map((value) => value.toFixed(2)).join(", ");
  say(`## streamlayer bench, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`, "");
  table(["", ""], [
    ["machine", `${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`],
    ["load average (1, 5, 15 min) at the start", load],
    ["Node", process.version],
    ["Deno", versionOf(() => execFileSync(process.execPath, [createRequire(import.meta.url).resolve("deno/bin.cjs"), "--version"], { encoding: "utf8" }).split("\n")[0]!)],
    ["Chromium", versionOf(() => execFileSync("/usr/bin/chromium", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim())],
    ["workerd", versionOf(() => (createRequire(createRequire(import.meta.url).resolve("miniflare"))("workerd/package.json") as { version: string }).version)],
    ["sections", only?.join(", ") ?? "all"],
  ]);
}

function versionOf(read: () => string): string {
  try {
    return read();
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
}

async function throughput(): Promise<void> {
  heading("Throughput in Node");
  say(`${THROUGHPUT_MIB} MiB tar of real files (/usr), best of ${ROUNDS} alternating rounds. Reference: ${GO_REFERENCE}.`, "");
  const rows = await measureThroughput(await readChunks(tarball), ROUNDS);
  const { pairs, references } = throughputCaseNames();
  table(["case", "MB/s", "bare MB/s", "time ratio to bare"], [
    ...pairs.map(([bareName, layerName]) => {
      const bare = rows.get(bareName)!;
      const layer = rows.get(layerName)!;
      const ratio = layer.seconds / bare.seconds;
      return [layerName, layer.mbPerSecond.toFixed(1), bare.mbPerSecond.toFixed(1), `${ratio.toFixed(3)} ${ratio <= 1.1 ? "(within 1.10)" : "(OVER 1.10)"}`];
    }),
    ...references.map((name) => [name, rows.get(name)!.mbPerSecond.toFixed(1), "", "(reference)"]),
  ]);
}

async function memory(): Promise<void> {
  heading("Peak memory in Node");
  say(`A ${MEMORY_GIB} GiB layer read from disk, consumer at most 10 MB/s, each case in its own process.`, "");
  const times = Math.max(1, Math.round((MEMORY_GIB * 1024) / THROUGHPUT_MIB));
  const rows: string[][] = [];
  for (const name of MEMORY_CASES) {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--expose-gc", "bench/memory_probe.ts", tarball, String(times), name], {
      maxBuffer: MiB,
    });
    const { baseline, peak } = JSON.parse(stdout) as { baseline: number; peak: number };
    const above = (peak - baseline) / MiB;
    const verdict = name.startsWith("naive") ? "(the design avoided)" : above <= 64 ? "(within 64 MiB)" : "(OVER 64 MiB)";
    rows.push([name, `${(baseline / MiB).toFixed(0)} MiB`, `${(peak / MiB).toFixed(0)} MiB`, `${above.toFixed(1)} MiB ${verdict}`]);
  }
  table(["case", "baseline", "peak", "above baseline"], rows);
}

// The push benchmark starts its own registry; a process of its own keeps its
// memory figures apart from the runs above.
async function push(): Promise<void> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/push.ts"], {
    maxBuffer: MiB,
    env: { ...process.env, BENCH_PUSH_MIB: process.env.BENCH_PUSH_MIB ?? String(THROUGHPUT_MIB) },
  });
  console.log(stdout.trimEnd());
  const compared = await run(process.execPath, ["--import", "tsx", "--expose-gc", "bench/push_compare.ts"], {
    maxBuffer: MiB,
    env: { ...process.env, BENCH_PUSH_MIB: process.env.BENCH_PUSH_MIB ?? String(THROUGHPUT_MIB) },
  });
  console.log(compared.stdout.trimEnd());
}
