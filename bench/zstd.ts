// zstd layers against gzip layers and against go-containerregistry's stream
// design (gzip level 1, its default), in Node: one tar of real files, rotating
// rounds (each round runs every case once, in an order shifted by one from the
// round before), each case's time compared with the Go design's of the same
// round. Prints speed as a multiple of the Go design's (median and spread),
// MB/s, and the layer's size as a share of the tar; then the peak memory of a
// 1 GiB zstd layer read by a slow consumer (bench/zstd_memory_probe.ts). `npm run bench` runs it
// with BENCH_ONLY=zstd; alone: node --import tsx --expose-gc bench/zstd.ts
//   BENCH_MIB=64 BENCH_ZSTD_ROUNDS=3 for a quick look.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { StreamLayer, type StreamLayerOptions } from "../src/index.ts";
import { buildGoReference, median } from "./compare.ts";
import { benchTarball, MiB, readChunks, streamOf } from "./fixture.ts";

const run = promisify(execFile);

interface Case {
  name: string;
  /** Wall seconds for one run, and the compressed size in bytes (when known). */
  run(): Promise<{ seconds: number; size: number | undefined }>;
}

function layerCase(chunks: readonly Uint8Array[], name: string, options: StreamLayerOptions): Case {
  return {
    name,
    async run() {
      const start = performance.now();
      const layer = new StreamLayer(streamOf(chunks), options);
      let size = 0;
      await layer.compressed().pipeTo(new WritableStream({ write: (chunk) => void (size += chunk.byteLength) }));
      await Promise.all([layer.digest(), layer.diffID()]);
      return { seconds: (performance.now() - start) / 1000, size };
    },
  };
}

function goCase(binary: string, tarball: string): Case {
  return {
    name: "go-containerregistry stream design, gzip level 1 (Go)",
    async run() {
      const { stdout } = await run(binary, [tarball, "1", "1"], { maxBuffer: MiB });
      return { seconds: Number(stdout.split("\n")[0]!.split(" ")[0]), size: undefined };
    },
  };
}

function zstdCliCase(tarball: string, level: number): Case {
  return {
    name: `zstd -${level} -T1 (zstd's own CLI, native, no hashing)`,
    async run() {
      const start = performance.now();
      const { stdout } = await run("bash", ["-c", `zstd -q -T1 -${level} -c "$1" | wc -c`, "zstd", tarball], { maxBuffer: MiB });
      return { seconds: (performance.now() - start) / 1000, size: Number(stdout.trim()) };
    },
  };
}

/** Runs the zstd bench and prints its table. */
export async function main(): Promise<void> {
  const mib = Number(process.env.BENCH_MIB ?? 256);
  const rounds = Number(process.env.BENCH_ZSTD_ROUNDS ?? 3);
  const tarball = await benchTarball(mib * MiB);
  const chunks = await readChunks(tarball, MiB);
  const directory = await mkdtemp(join(tmpdir(), "streamlayer-zstd-bench-"));
  try {
    const go = await buildGoReference(directory);
    const cases: Case[] = [
      ...(go instanceof Error ? [] : [goCase(go, tarball)]),
      layerCase(chunks, "StreamLayer gzip, auto, level 1", { level: 1 }),
      layerCase(chunks, "StreamLayer gzip, auto, level 6", { level: 6 }),
      layerCase(chunks, "StreamLayer zstd level 1", { compression: "zstd", level: 1 }),
      layerCase(chunks, "StreamLayer zstd level 3 (the default), on one thread", { compression: "zstd", parallelism: 1 }),
      layerCase(chunks, "StreamLayer zstd level 3 (the default), on worker threads", { compression: "zstd" }),
      zstdCliCase(tarball, 3),
    ];
    const results = new Map<string, { seconds: number; size: number | undefined }[]>(cases.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < cases.length; i++) {
        const benchCase = cases[(i + round) % cases.length]!;
        globalThis.gc?.();
        results.get(benchCase.name)!.push(await benchCase.run());
      }
    }
    console.log(`\nzstd and gzip layers in Node ${process.version}: ${mib} MiB tar of real files in 1 MiB pieces, ${rounds} rotating rounds, ${availableParallelism()} cores`);
    if (go instanceof Error) console.log(`(no Go reference: ${go.message.split("\n")[0]})`);
    console.log("");
    console.log("| case | speed vs Go level 1: median (min–max) | MB/s | size, % of the tar |");
    console.log("|---|---|---|---|");
    const goRuns = go instanceof Error ? undefined : results.get(cases[0]!.name)!;
    for (const benchCase of cases) {
      const runs = results.get(benchCase.name)!;
      const seconds = median(runs.map((r) => r.seconds));
      const speedups = goRuns ? runs.map((r, round) => goRuns[round]!.seconds / r.seconds) : [];
      const speed = goRuns ? `${median(speedups).toFixed(2)}× (${Math.min(...speedups).toFixed(2)}–${Math.max(...speedups).toFixed(2)})` : "–";
      const size = runs[0]!.size === undefined ? "–" : `${((runs[0]!.size! / (mib * MiB)) * 100).toFixed(1)} %`;
      console.log(`| ${benchCase.name} | ${speed} | ${((mib * MiB) / 1e6 / seconds).toFixed(0)} | ${size} |`);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  await memory(tarball, mib);
}

/** Peak RSS growth of a zstd layer of about BENCH_MEMORY_GIB (1 GiB) read by a 10 MB/s consumer, on 1 thread and on the default threads. */
async function memory(tarball: string, mib: number): Promise<void> {
  const gib = Number(process.env.BENCH_MEMORY_GIB ?? 1);
  const times = Math.max(1, Math.round((gib * 1024) / mib));
  console.log(`\nMemory of a zstd layer of ${((times * mib) / 1024).toFixed(2)} GiB (the tar read ${times} times from disk), consumer at 10 MB/s:\n`);
  console.log("| threads | peak RSS growth |");
  console.log("|---|---|");
  for (const parallelism of [1, 2]) {
    const probe = new URL("./zstd_memory_probe.ts", import.meta.url).pathname;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--expose-gc", probe, tarball, String(times), String(parallelism)], { maxBuffer: MiB });
    const { baseline, peak } = JSON.parse(stdout) as { baseline: number; peak: number };
    console.log(`| ${parallelism} | ${((peak - baseline) / MiB).toFixed(1)} MiB |`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
