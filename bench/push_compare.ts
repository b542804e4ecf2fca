// Pushes side by side with go-containerregistry's design: the Go program of
// bench/ggcr_stream pushing its stream.Layer as remote.Write does (POST, one
// streamed PATCH, PUT), against writeLayer with `upload: "stream"` and
// `"chunked"`, at levels 1 and 6, to the local docker-registry, in rotating
// rounds; ratios to the Go push of the same round, median and spread.
// Run alone: node --import tsx bench/push_compare.ts   (BENCH_PUSH_MIB=64 BENCH_PUSH_ROUNDS=2 for a quick look)
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { StreamLayer, writeLayer, type CompressionLevel, type UploadMode } from "../src/index.ts";
import { startRegistry } from "../test/support/registry.ts";
import { buildGoReference, median } from "./compare.ts";
import { benchTarball, MiB, readChunks, streamOf } from "./fixture.ts";

const run = promisify(execFile);

interface PushCase {
  name: string;
  run(repository: string): Promise<number>;
}

export async function main(): Promise<void> {
  const mib = Number(process.env.BENCH_PUSH_MIB ?? 256);
  const rounds = Number(process.env.BENCH_PUSH_ROUNDS ?? 3);
  const tarball = await benchTarball(mib * MiB);
  const chunks = await readChunks(tarball, MiB);
  const directory = await mkdtemp(join(tmpdir(), "streamlayer-push-compare-"));
  console.log(`\nPush against go-containerregistry's design: ${mib} MiB tar of real files to the local docker-registry, ${rounds} rotating rounds`);
  const go = await buildGoReference(directory);
  if (go instanceof Error) {
    console.log(`skipped: cannot build the Go reference (is Go installed?): ${go.message.split("\n")[0]}`);
    await rm(directory, { recursive: true, force: true });
    return;
  }
  const registry = await startRegistry();
  try {
    for (const level of [1, 6] as CompressionLevel[]) {
      const goPush: PushCase = {
        name: "go-containerregistry design (Go: POST, streamed PATCH, PUT)",
        async run(repository) {
          const { stdout } = await run(go, [tarball, String(level), "1", registry.url, repository], { maxBuffer: MiB });
          return Number(stdout.split(" ")[0]);
        },
      };
      const streamLayerPush = (upload: UploadMode): PushCase => ({
        name: `streamlayer writeLayer, upload "${upload}"`,
        async run(repository) {
          const start = performance.now();
          await writeLayer(`${registry.host}/${repository}`, new StreamLayer(streamOf(chunks), { compressionLevel: level }), { upload });
          return (performance.now() - start) / 1000;
        },
      });
      const cases = [goPush, streamLayerPush("stream"), streamLayerPush("chunked")];
      const seconds = new Map<string, number[]>(cases.map((c) => [c.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < cases.length; i++) {
          const pushCase = cases[(i + round) % cases.length]!;
          globalThis.gc?.();
          seconds.get(pushCase.name)!.push(await pushCase.run(`bench/l${level}r${round}c${i}`));
        }
      }
      console.log(`\nlevel ${level}${"speed vs Go: median (min–max)".padStart(88)}   median time   tar MB/s`);
      const goSeconds = seconds.get(goPush.name)!;
      for (const pushCase of cases) {
        const times = seconds.get(pushCase.name)!;
        const speedups = times.map((time, round) => goSeconds[round]! / time);
        const spread = `(${Math.min(...speedups).toFixed(2)}–${Math.max(...speedups).toFixed(2)})`;
        console.log(
          `${pushCase.name.padEnd(70)} ${median(speedups).toFixed(2).padStart(10)}× ${spread.padStart(13)}   ${median(times).toFixed(2).padStart(9)} s  ${((mib * MiB) / 1e6 / median(times)).toFixed(1).padStart(7)}`,
        );
      }
    }
  } finally {
    await registry.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
