// StreamLayer's compression side by side with go-containerregistry's stream
// design (bench/ggcr_stream, built here if Go is present) and with pigz on
// every core, at levels 1 and 6, in rotating rounds: each round runs every
// case once, in an order shifted by one from the round before, and each
// case's time is compared with the Go design's time of the same round, so
// that a machine shared with others hits all cases alike. Prints, per case,
// the median of those ratios (speed as a multiple of the Go design's) and
// their spread. Run alone: node --import tsx bench/compare.ts
//   BENCH_MIB=64 BENCH_COMPARE_ROUNDS=3 for a quick look.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { StreamLayer, type CompressionLevel } from "../src/index.ts";
import type { CompressorName } from "../src/compress/compressor.ts";
import { blockGzipStream } from "../src/compress/_block_gzip_stream.ts";
import { loadZlib } from "../src/compress/_runtime.ts";
import { zlibBlockDeflater, zlibCrc32 } from "../src/compress/_zlib_block_deflater.ts";
import { benchTarball, discard, MiB, readChunks, streamOf } from "./fixture.ts";

const run = promisify(execFile);
const READ_BIG = MiB;

interface Case {
  name: string;
  /** Seconds of compression for one run: wall, and CPU (user and system, all threads). */
  run(): Promise<Seconds>;
}

interface Seconds {
  wall: number;
  cpu: number;
}

export interface CompareRow {
  level: CompressionLevel;
  name: string;
  /** Median over the rounds of the Go design's time over this case's time: above 1 is faster. */
  medianSpeedup: number;
  minSpeedup: number;
  maxSpeedup: number;
  medianSeconds: number;
  mbPerSecond: number;
  /** Median CPU-seconds (all threads), which a machine shared with others disturbs less than time. */
  medianCpuSeconds: number;
}

/** Builds the Go reference into `directory`, or says why it cannot. */
export async function buildGoReference(directory: string): Promise<string | Error> {
  const binary = join(directory, "ggcr_stream");
  try {
    await run("go", ["build", "-o", binary, "."], {
      cwd: new URL("./ggcr_stream/", import.meta.url).pathname,
      env: { ...process.env, GOFLAGS: "-mod=mod", GOPROXY: "off", GOTOOLCHAIN: "local", GOCACHE: join(directory, "gocache") },
    });
    return binary;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Times `work` in this process: wall, and this process's CPU, thread pool included. */
async function timed(work: () => Promise<unknown>): Promise<Seconds> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await work();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function goCase(binary: string, tarball: string, level: CompressionLevel): Case {
  return {
    name: "go-containerregistry stream design (Go)",
    async run() {
      const { stdout } = await run(binary, [tarball, String(level), "1"], { maxBuffer: MiB });
      const [wall, cpu] = stdout.split("\n")[0]!.split(" ").map(Number);
      return { wall: wall!, cpu: cpu! };
    },
  };
}

function pigzCase(tarball: string, level: CompressionLevel, cores: number): Case {
  return {
    name: `pigz -p ${cores} (no hashing)`,
    async run() {
      // bash's `times` gives the CPU of the children it waited for: pigz's.
      const script = `pigz -p ${cores} -${level} -c "$1" > /dev/null; times`;
      const start = performance.now();
      const { stdout } = await run("bash", ["-c", script, "pigz", tarball], { maxBuffer: MiB });
      const wall = (performance.now() - start) / 1000;
      const children = stdout.trim().split("\n")[1] ?? "";
      const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((total, [, minutes, seconds]) => total + Number(minutes) * 60 + Number(seconds), 0);
      return { wall, cpu };
    },
  };
}

function layerCase(chunks: readonly Uint8Array[], compressor: CompressorName, level: CompressionLevel, label: string): Case {
  return {
    name: `StreamLayer ${compressor}${label}`,
    run() {
      return timed(async () => {
        const layer = new StreamLayer(streamOf(chunks), { compressor, compressionLevel: level });
        await layer.compressed().pipeTo(discard());
        await Promise.all([layer.digest(), layer.diffID()]);
      });
    },
  };
}

function blocksCase(chunks: readonly Uint8Array[], level: CompressionLevel, blocksInFlight: number): Case {
  return {
    name: `block gzip alone, ${blocksInFlight} block${blocksInFlight > 1 ? "s" : ""} in flight`,
    async run() {
      const zlib = (await loadZlib())!;
      return timed(() => streamOf(chunks).pipeThrough(blockGzipStream(zlibBlockDeflater(zlib), zlibCrc32(zlib)!, { level, blocksInFlight })).pipeTo(discard()));
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs the comparison and prints its table; returns the rows, or none without Go. */
export async function main(): Promise<CompareRow[]> {
  const mib = Number(process.env.BENCH_MIB ?? 256);
  const rounds = Number(process.env.BENCH_COMPARE_ROUNDS ?? 5);
  const levels = (process.env.BENCH_LEVELS ?? "1,6").split(",").map(Number) as CompressionLevel[];
  const cores = availableParallelism();
  const tarball = await benchTarball(mib * MiB);
  // Read big: the pieces a file or stdin can give, not 64 KiB.
  const chunks = await readChunks(tarball, READ_BIG);
  const directory = await mkdtemp(join(tmpdir(), "streamlayer-compare-"));
  const rows: CompareRow[] = [];
  try {
    const go = await buildGoReference(directory);
    console.log(`\nCompression against go-containerregistry's stream design: ${mib} MiB tar of real files, ${rounds} rotating rounds, ${cores} cores, input in ${READ_BIG / MiB} MiB pieces`);
    if (go instanceof Error) {
      console.log(`skipped: cannot build the Go reference (is Go installed?): ${go.message.split("\n")[0]}`);
      return rows;
    }
    for (const level of levels) {
      const reference = goCase(go, tarball, level);
      const cases = [
        reference,
        pigzCase(tarball, level, cores),
        layerCase(chunks, "parallel-zlib", level, " (auto here)"),
        layerCase(chunks, "zlib", level, " (one stream, the previous auto)"),
        blocksCase(chunks, level, 1),
        blocksCase(chunks, level, 2),
        blocksCase(chunks, level, 4),
      ];
      const seconds = new Map<string, Seconds[]>(cases.map((c) => [c.name, []]));
      for (let round = 0; round < rounds; round++) {
        const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
        for (const benchCase of order) {
          globalThis.gc?.();
          seconds.get(benchCase.name)!.push(await benchCase.run());
        }
      }
      const goSeconds = seconds.get(reference.name)!;
      console.log(`\nlevel ${level}${"speed vs Go: median (min–max)".padStart(80)}   median time      MB/s   median CPU`);
      for (const benchCase of cases) {
        const times = seconds.get(benchCase.name)!;
        const speedups = times.map((time, round) => goSeconds[round]!.wall / time.wall);
        const wall = median(times.map((time) => time.wall));
        const row: CompareRow = {
          level,
          name: benchCase.name,
          medianSpeedup: median(speedups),
          minSpeedup: Math.min(...speedups),
          maxSpeedup: Math.max(...speedups),
          medianSeconds: wall,
          mbPerSecond: (mib * MiB) / 1e6 / wall,
          medianCpuSeconds: median(times.map((time) => time.cpu)),
        };
        rows.push(row);
        const spread = `(${row.minSpeedup.toFixed(2)}–${row.maxSpeedup.toFixed(2)})`;
        console.log(
          `${row.name.padEnd(62)} ${row.medianSpeedup.toFixed(2).padStart(10)}× ${spread.padStart(13)}   ${wall.toFixed(2).padStart(9)} s  ${row.mbPerSecond.toFixed(1).padStart(7)}   ${row.medianCpuSeconds.toFixed(2).padStart(8)} s`,
        );
      }
      const oneBlock = median(seconds.get(cases[4]!.name)!.map((time) => time.wall));
      const twoBlocks = median(seconds.get(cases[5]!.name)!.map((time) => time.wall));
      console.log(`scaling: 2 blocks in flight run ${(oneBlock / twoBlocks).toFixed(2)}× as fast as 1 (medians)`);
    }
    return rows;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
