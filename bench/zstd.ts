// zstd layers against gzip layers and against go-containerregistry's stream
// design (gzip level 1, its default), in Node, then in Chromium, Deno and
// workerd (bench/zstd_web.ts), on one tar of real files, from one run:
// - Node: rotating rounds (each round runs every case once, in an order
//   shifted by one from the round before), each case's time compared with the
//   Go design's of the same round (median and spread), the layer's size as a
//   share of the tar, and the goal (≥ 2.5× Go's gzip level 1, smaller than
//   gzip level 6);
// - Node's memory: peak RSS growth of a 1 GiB zstd layer read by a 10 MB/s
//   consumer, on one thread and on the default threads, measured on a build
//   of the package (what users run; from the sources, each thread would load
//   tsx), each case a process of its own (bench/zstd_memory_probe.ts);
// - the web runtimes: bench/zstd_web.ts.
// `npm run bench` runs it with BENCH_ONLY=zstd; alone: node --import tsx --expose-gc bench/zstd.ts
//   BENCH_ZSTD_MIB (64), BENCH_ZSTD_ROUNDS (5), BENCH_MEMORY_GIB (1), BENCH_ZSTD_WEB=0 (Node only).
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { StreamLayer, type StreamLayerOptions } from "../src/index.ts";
import { heading, median, say, table } from "./_report.ts";
import { buildGoReference } from "./compare.ts";
import { benchTarball, MiB, readChunks, streamOf } from "./fixture.ts";
import { ZSTD_ALONE, zstdAlone } from "./web_runtimes_probe.ts";
import { webRuntimes } from "./zstd_web.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const GOAL_VS_GO = 2.5;
const DEFAULT_ZSTD = "StreamLayer zstd level 3 (default options)";
const GZIP_6 = "StreamLayer gzip level 6 (auto)";

interface Run {
  seconds: number;
  /** CPU seconds of every thread the case ran on (this process's, with its worker threads; Go's process), where known. */
  cpu: number | undefined;
  /** The compressed size in bytes, where the case knows it. */
  size: number | undefined;
}
interface Case {
  name: string;
  run(): Promise<Run>;
}

function layerCase(chunks: readonly Uint8Array[], name: string, options: StreamLayerOptions): Case {
  return {
    name,
    async run() {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const layer = new StreamLayer(streamOf(chunks), options);
      let size = 0;
      await layer.compressed().pipeTo(new WritableStream({ write: (chunk) => void (size += chunk.byteLength) }));
      await Promise.all([layer.digest(), layer.diffID()]);
      const cpu = process.cpuUsage(cpuStart);
      return { seconds: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6, size };
    },
  };
}

function zstdAloneCase(chunks: readonly Uint8Array[]): Case {
  const whole = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.byteLength, 0));
  chunks.reduce((offset, chunk) => (whole.set(chunk, offset), offset + chunk.byteLength), 0);
  return {
    name: ZSTD_ALONE,
    async run() {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const size = await zstdAlone(whole);
      const cpu = process.cpuUsage(cpuStart);
      return { seconds: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6, size };
    },
  };
}

function goCase(binary: string, tarball: string): Case {
  return {
    name: "go-containerregistry's stream design, gzip level 1 (Go)",
    async run() {
      const { stdout } = await run(binary, [tarball, "1", "1"], { maxBuffer: MiB });
      const [wall, cpu] = stdout.split("\n")[0]!.split(" ").map(Number);
      return { seconds: wall!, cpu, size: undefined };
    },
  };
}

function zstdCliCase(tarball: string, level: number): Case {
  return {
    name: `zstd -${level} -T1 (zstd's own CLI, native, no hashing)`,
    async run() {
      const start = performance.now();
      const { stdout } = await run("bash", ["-c", `zstd -q -T1 -${level} -c "$1" | wc -c`, "zstd", tarball], { maxBuffer: MiB });
      return { seconds: (performance.now() - start) / 1000, cpu: undefined, size: Number(stdout.trim()) };
    },
  };
}

/**
 * Rounds of `cases`, the order rotating by one each round: each case's runs,
 * round by round. Each case runs once first, untimed: what a process pays
 * once (compiling zstd.wasm, starting Node's zstd threads, which from the
 * sources also compile them with tsx: 300 ms more in the first round) is not
 * a layer's speed.
 */
async function rotatingRounds(cases: readonly Case[], rounds: number): Promise<Map<string, Run[]>> {
  const results = new Map<string, Run[]>(cases.map((c) => [c.name, []]));
  for (const benchCase of cases) {
    const result = await benchCase.run();
    console.error(`warm-up: ${benchCase.name}: ${(result.seconds * 1000).toFixed(0)} ms`);
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const benchCase = cases[(i + round) % cases.length]!;
      globalThis.gc?.();
      const result = await benchCase.run();
      console.error(`round ${round + 1}: ${benchCase.name}: ${(result.seconds * 1000).toFixed(0)} ms`); // the raw figures, as they come
      results.get(benchCase.name)!.push(result);
    }
  }
  return results;
}

/** Runs the zstd bench and prints its tables. */
export async function main(): Promise<void> {
  const mib = Number(process.env.BENCH_ZSTD_MIB ?? 64);
  const rounds = Number(process.env.BENCH_ZSTD_ROUNDS ?? 5);
  const tarball = await benchTarball(mib * MiB);
  heading("zstd layers");
  const goSeconds = await inNode(tarball, mib, rounds);
  await memory(tarball, mib);
  if (process.env.BENCH_ZSTD_WEB !== "0") await webRuntimes(tarball, mib, goSeconds);
}

/** Node's table; returns the Go design's median seconds (undefined without Go), for the web runtimes' table. */
async function inNode(tarball: string, mib: number, rounds: number): Promise<number | undefined> {
  const chunks = await readChunks(tarball, MiB);
  const directory = await mkdtemp(join(tmpdir(), "streamlayer-zstd-bench-"));
  try {
    const go = await buildGoReference(directory);
    const cases: Case[] = [
      ...(go instanceof Error ? [] : [goCase(go, tarball)]),
      layerCase(chunks, "StreamLayer gzip level 1 (auto)", { level: 1 }),
      layerCase(chunks, GZIP_6, { level: 6 }),
      layerCase(chunks, DEFAULT_ZSTD, { compression: "zstd" }),
      layerCase(chunks, "StreamLayer zstd level 3, one thread", { compression: "zstd", parallelism: 1 }),
      layerCase(chunks, "StreamLayer zstd level 2", { compression: "zstd", level: 2 }),
      layerCase(chunks, "StreamLayer zstd level 1", { compression: "zstd", level: 1 }),
      zstdAloneCase(chunks),
      zstdCliCase(tarball, 3),
    ];
    const results = await rotatingRounds(cases, rounds);
    say(`Node ${process.version}: ${mib} MiB tar of real files (/usr) in 1 MiB pieces, ${rounds} rotating rounds after an untimed one (what a process pays once, such as starting the zstd threads, is not in the figures), ${availableParallelism()} cores (zstd's default parallelism: as many threads, this one among them); speed = Go's time / the case's, round by round (median, min–max); CPU = Go's CPU time / the case's (every thread), medians: on an idle machine, where Go's pipeline takes about its CPU time in wall time, the case would be at least this much faster, whatever the load now.${go instanceof Error ? ` No Go reference: ${go.message.split("\n")[0]}` : ""}`, "");
    const goRuns = go instanceof Error ? undefined : results.get(cases[0]!.name)!;
    const gzip6Size = results.get(GZIP_6)![0]!.size!;
    const goCpu = goRuns ? median(goRuns.map((r) => r.cpu!)) : undefined;
    table(["case", "wall (median)", "MB/s", "speed vs Go gzip level 1", "CPU vs Go", "size, % of the tar", "goal"], cases.map((benchCase) => {
      const runs = results.get(benchCase.name)!;
      const seconds = median(runs.map((r) => r.seconds));
      const speedups = goRuns ? runs.map((r, round) => goRuns[round]!.seconds / r.seconds) : [];
      const speed = goRuns ? `×${median(speedups).toFixed(2)} (${Math.min(...speedups).toFixed(2)}–${Math.max(...speedups).toFixed(2)})` : "–";
      const size = runs[0]!.size;
      const cpu = goCpu !== undefined && runs[0]!.cpu !== undefined ? `×${(goCpu / median(runs.map((r) => r.cpu!))).toFixed(2)}` : "–";
      const goal = benchCase.name === DEFAULT_ZSTD && goRuns
        ? `≥ ×${GOAL_VS_GO} and smaller than gzip level 6: ${median(speedups) >= GOAL_VS_GO ? "met" : "MISSED"} in wall time, ${size! < gzip6Size ? "smaller" : "NOT smaller"}`
        : "";
      return [benchCase.name, `${(seconds * 1000).toFixed(0)} ms`, ((mib * MiB) / 1e6 / seconds).toFixed(0), speed, cpu, size === undefined ? "–" : `${((size / (mib * MiB)) * 100).toFixed(1)} %`, goal];
    }));
    return goRuns ? median(goRuns.map((r) => r.seconds)) : undefined;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Peak RSS growth of a zstd layer of about BENCH_MEMORY_GIB (1 GiB) read by a 10 MB/s consumer, on 1 thread and on the default threads. */
async function memory(tarball: string, mib: number): Promise<void> {
  const gib = Number(process.env.BENCH_MEMORY_GIB ?? 1);
  const times = Math.max(1, Math.round((gib * 1024) / mib));
  const threads = Math.min(availableParallelism(), 4);
  const built = await buildPackage();
  try {
    say(`Node's memory: a zstd layer of ${((times * mib) / 1024).toFixed(2)} GiB (the tar read ${times} times from disk in 64 KiB pieces), read by a consumer that takes at most 10 MB/s; the package as built (tsc), each case a process of its own; peak RSS growth above the process before the layer.`, "");
    const rows: string[][] = [];
    for (const parallelism of [1, threads]) {
      const { stdout } = await run(process.execPath, ["--import", "tsx", "--expose-gc", join(ROOT, "bench/zstd_memory_probe.ts"), tarball, String(times), String(parallelism), join(built, "dist/index.js")], { cwd: built, maxBuffer: MiB });
      const { baseline, peak } = JSON.parse(stdout) as { baseline: number; peak: number };
      const growth = (peak - baseline) / MiB;
      rows.push([parallelism === 1 ? "1 (this thread)" : `${parallelism} (the default here: this thread and ${parallelism - 1} worker thread${parallelism > 2 ? "s" : ""})`, `${(baseline / MiB).toFixed(0)} MiB`, `${growth.toFixed(1)} MiB`, `64 MiB: ${growth <= 64 ? "within" : "OVER"}`]);
    }
    table(["threads", "before", "peak growth", "goal"], rows);
  } finally {
    await rm(built, { recursive: true, force: true });
  }
}

/**
 * The package's JavaScript built into a directory of its own (not dist/, which
 * others may be using), with its package.json (whose imports pick Node's zstd
 * threads), zstd.wasm, the dependencies linked, and an empty tsconfig.json so
 * that tsx, which runs the probe, does not map `#zstd-wasm` to the sources.
 */
async function buildPackage(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "streamlayer-zstd-package-"));
  await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(directory, "dist"), "--declaration", "false"], { cwd: ROOT, maxBuffer: 8 * MiB });
  await copyFile(join(ROOT, "src/compress/zstd/zstd.wasm"), join(directory, "dist/compress/zstd/zstd.wasm"));
  await copyFile(join(ROOT, "package.json"), join(directory, "package.json"));
  await writeFile(join(directory, "tsconfig.json"), "{}\n");
  await symlink(join(ROOT, "node_modules"), join(directory, "node_modules"), "dir");
  return directory;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
