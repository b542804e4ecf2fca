// One memory measurement for bench/zstd.ts, in a child process of its own so
// that each case starts from the same baseline: a zstd layer of the bench tar
// read `times` times from disk, by a consumer that takes at most 10 MB/s.
// Prints { baseline, peak } RSS in bytes as JSON.
//   node --import tsx --expose-gc bench/zstd_memory_probe.ts <tar> <times> <parallelism>
import { StreamLayer } from "../src/index.ts";
import { streamFromDisk } from "./fixture.ts";

const [path, times, parallelism] = process.argv.slice(2) as [string, string, string];
const CONSUMER_BYTES_PER_SECOND = 10e6;

function slowSink(): WritableStream<Uint8Array> {
  const started = performance.now();
  let received = 0;
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      received += chunk.length;
      const due = (received / CONSUMER_BYTES_PER_SECOND) * 1000 - (performance.now() - started);
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
    },
  });
}

globalThis.gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
const layer = new StreamLayer(streamFromDisk(path, Number(times)), { compression: "zstd", requireTar: false, parallelism: Number(parallelism) });
await layer.compressed().pipeTo(slowSink());
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
process.stdout.write(JSON.stringify({ baseline, peak }));
