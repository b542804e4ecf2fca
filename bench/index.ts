// `npm run bench`: StreamLayer against go-containerregistry's design and pigz,
// then throughput of each compressor bare and inside StreamLayer, then peak
// memory of a 1 GiB layer read slowly, then pushes. Sizes can be lowered for a
// quick look: BENCH_MIB=64 BENCH_MEMORY_GIB=0.25 npm run bench
// BENCH_ONLY=compare (or throughput, memory, push, web-workers, zstd) runs one section.
import { execFile } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { promisify } from "node:util";
import { main as compareWithGo } from "./compare.ts";
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
const only = process.env.BENCH_ONLY;

console.log(`streamlayer bench on ${cpus()[0]?.model ?? "?"} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
const tarball = await benchTarball(THROUGHPUT_MIB * MiB);

if (only === undefined || only === "compare") await compareWithGo();
if (only === undefined || only === "throughput") await throughput();
if (only === undefined || only === "memory") await memory();
if (only === undefined || only === "push") await push();
if (only === undefined || only === "web-workers") await webWorkers();
if (only === undefined || only === "zstd") await zstdBench();

async function throughput(): Promise<void> {
  console.log(`\nThroughput: ${THROUGHPUT_MIB} MiB tar of real files (/usr), best of ${ROUNDS} alternating rounds`);
  const rows = await measureThroughput(await readChunks(tarball), ROUNDS);
  const { pairs, references } = throughputCaseNames();
  for (const [bareName, layerName] of pairs) {
    const bare = rows.get(bareName)!;
    const layer = rows.get(layerName)!;
    const ratio = layer.seconds / bare.seconds;
    console.log(
      `${layerName.padEnd(46)} ${layer.mbPerSecond.toFixed(1).padStart(7)} MB/s   bare ${bare.mbPerSecond.toFixed(1).padStart(7)} MB/s   time ratio ${ratio.toFixed(3)} ${ratio <= 1.1 ? "(within 1.10)" : "(OVER 1.10)"}`,
    );
  }
  for (const name of references) console.log(`${name.padEnd(46)} ${rows.get(name)!.mbPerSecond.toFixed(1).padStart(7)} MB/s   (reference)`);
  console.log(`reference: ${GO_REFERENCE}`);
}

async function memory(): Promise<void> {
  console.log(`\nPeak memory: a ${MEMORY_GIB} GiB layer read from disk, consumer at most 10 MB/s, each case in its own process`);
  const times = Math.max(1, Math.round((MEMORY_GIB * 1024) / THROUGHPUT_MIB));
  for (const name of MEMORY_CASES) {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--expose-gc", "bench/memory_probe.ts", tarball, String(times), name], {
      maxBuffer: MiB,
    });
    const { baseline, peak } = JSON.parse(stdout) as { baseline: number; peak: number };
    const above = (peak - baseline) / MiB;
    const verdict = name.startsWith("naive") ? "(the design avoided)" : above <= 64 ? "(within 64 MiB)" : "(OVER 64 MiB)";
    console.log(`${name.padEnd(34)} baseline ${(baseline / MiB).toFixed(0).padStart(5)} MiB   peak ${(peak / MiB).toFixed(0).padStart(5)} MiB   above baseline ${above.toFixed(1).padStart(7)} MiB ${verdict}`);
  }
}

// The push benchmark starts its own registry; a process of its own keeps its
// memory figures apart from the runs above.
async function push(): Promise<void> {
  console.log("");
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/push.ts"], {
    maxBuffer: MiB,
    env: { ...process.env, BENCH_PUSH_MIB: process.env.BENCH_PUSH_MIB ?? String(THROUGHPUT_MIB) },
  });
  process.stdout.write(stdout);
  const compared = await run(process.execPath, ["--import", "tsx", "--expose-gc", "bench/push_compare.ts"], {
    maxBuffer: MiB,
    env: { ...process.env, BENCH_PUSH_MIB: process.env.BENCH_PUSH_MIB ?? String(THROUGHPUT_MIB) },
  });
  process.stdout.write(compared.stdout);
}
