// The web runtimes' part of bench/zstd.ts: zstd layers in Chromium, Deno and
// workerd against the bare CompressionStream("gzip") pipeline of the same
// runtime (the goals: ≥ 2.5× in Chromium and Deno, ≥ 4× in workerd),
// against StreamLayer's default gzip layer, and against go-containerregistry's
// design (its median time in Node's table of the same run, on the same tar).
// The runtimes are driven by bench/web_runtimes.ts (rotating rounds, wall time
// and CPU time of the busiest thread), then each streams a zstd layer of the
// tar given several times over to a slow consumer, and its memory is measured.
//   BENCH_WEB_ROUNDS (5), BENCH_WEB_CHUNK_KIB (64), BENCH_WEB_RUNTIMES=chromium,deno,workerd,
//   BENCH_ZSTD_WEB_MEMORY_MIB (320: the layer's size in memory runs)
import { heading, median, say, table } from "./_report.ts";
import { MiB } from "./fixture.ts";
import { inChromium, inDeno, inWorkerd, type RuntimeRun } from "./web_runtimes.ts";
import { WEB_RUNTIME_CASES, ZSTD_ALONE, ZSTD_CASES, type WebRuntimeCase } from "./web_runtimes_probe.ts";

const RUNTIMES = (process.env.BENCH_WEB_RUNTIMES ?? "chromium,deno,workerd").split(",");
const ROUNDS = Number(process.env.BENCH_WEB_ROUNDS ?? 5);
const CHUNK_KIB = Number(process.env.BENCH_WEB_CHUNK_KIB ?? 64);
// 320 MiB, as bench/web_runtimes.ts: at 1 GiB, workerd's slow read through miniflare from Node crawled (0.2 MB/s, Node's side busy, workerd idle).
const MEMORY_MIB = Number(process.env.BENCH_ZSTD_WEB_MEMORY_MIB ?? 320);
const GOALS: Record<string, number> = { Chromium: 2.5, Deno: 2.5, workerd: 4 };
const [BARE, GZIP_LAYER] = WEB_RUNTIME_CASES;
const DEFAULT_ZSTD = ZSTD_CASES[0];
const CASES: readonly WebRuntimeCase[] = [BARE, GZIP_LAYER, ...ZSTD_CASES];

/** Prints the web runtimes' zstd tables; `goSeconds` is the Go design's median time on the same tar, if it ran. */
export async function webRuntimes(tarball: string, mib: number, goSeconds: number | undefined): Promise<void> {
  const times = Math.max(1, Math.round(MEMORY_MIB / mib));
  const runs: [string, RuntimeRun][] = [];
  for (const [runtime, measure] of [["Chromium", inChromium], ["Deno", inDeno], ["workerd", inWorkerd]] as const) {
    if (!RUNTIMES.includes(runtime.toLowerCase())) continue;
    const measured = await measure(tarball, CASES, true, times);
    console.error(`${runtime}: ${JSON.stringify(measured)}`); // the raw figures, as they come
    runs.push([runtime, measured]);
  }
  heading("zstd layers in the web runtimes");
  say(`The same ${mib} MiB tar, in pieces of ${CHUNK_KIB} KiB, ${ROUNDS} rotating rounds in each runtime, after an untimed one. Speed = the bare \`CompressionStream("gzip")\` pipeline's wall time / the case's, round by round (median, min–max); CPU: the same with the CPU time of all the runtime's threads (Chromium's renderer with its workers, Deno's process, workerd's), which a busy machine disturbs less: how much less work the case is, not how much it gains from threads; vs Go: go-containerregistry's design (gzip level 1, in Node's table above) / the case's median wall time. zstd's Web Workers: as many as the cores (at most 4) in Chromium and Deno; workerd has none (one thread). ${ZSTD_ALONE}: zstd's encoder over the same blocks with nothing around it, the most a layer on one thread can give in that runtime.`, "");
  const rows: string[][] = [];
  for (const [runtime, run] of runs) {
    for (const name of CASES.slice(1)) {
      const wall = run.rounds.map((round) => round[BARE]!.wall / round[name]!.wall);
      const cpu = run.rounds.map((round) => (round[BARE]!.main + round[BARE]!.other) / (round[name]!.main + round[name]!.other));
      const ms = median(run.rounds.map((round) => round[name]!.wall));
      const goal = name === DEFAULT_ZSTD ? `≥ ×${GOALS[runtime]!.toFixed(1)}: ${median(wall) >= GOALS[runtime]! ? "met" : "MISSED"}` : "";
      rows.push([
        runtime,
        name,
        `${ms.toFixed(0)} ms, ${((mib * MiB) / 1e6 / (ms / 1000)).toFixed(0)} MB/s`,
        `×${median(wall).toFixed(2)} (${Math.min(...wall).toFixed(2)}–${Math.max(...wall).toFixed(2)})`,
        `×${median(cpu).toFixed(2)}`,
        goSeconds === undefined ? "–" : `×${((goSeconds * 1000) / ms).toFixed(2)}`,
        goal,
      ]);
    }
    const bare = median(run.rounds.map((round) => round[BARE]!.wall));
    rows.push([runtime, `${BARE}: ${bare.toFixed(0)} ms, ${((mib * MiB) / 1e6 / (bare / 1000)).toFixed(0)} MB/s`, "", "", "", goSeconds === undefined ? "–" : `×${((goSeconds * 1000) / bare).toFixed(2)}`, ""]);
  }
  table(["runtime", "case", "wall (median)", "speed vs bare CompressionStream", "CPU, all threads", "vs Go gzip level 1", "goal"], rows);
  say(`Memory: a zstd layer (default options) of the tar given ${times} times over (${((times * mib) / 1024).toFixed(2)} GiB), read at most 8 MB/s; growth above what the process held before the layer started (the tar in memory included).`, "");
  table(["runtime", "measured", "before", "peak growth", "goal"], runs.map(([runtime, { memory }]) => {
    const growth = (memory.peak - memory.baseline) / MiB;
    return [runtime, memory.what, `${(memory.baseline / MiB).toFixed(0)} MiB`, `${growth.toFixed(1)} MiB`, `64 MiB: ${growth <= 64 ? "within" : "OVER"}`];
  }));
}
