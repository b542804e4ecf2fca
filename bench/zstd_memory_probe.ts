// One memory measurement for bench/zstd.ts, in a child process of its own so
// that each case starts from the same baseline: a zstd layer of the bench tar
// read `times` times from disk, by a consumer that takes at most 10 MB/s.
// `entry` is the package to measure: bench/zstd.ts gives a build of it (what
// users run), so that the threads do not each load tsx as the sources would.
// Prints { baseline, peak } RSS in bytes as JSON.
//   node --expose-gc bench/zstd_memory_probe.ts <tar> <times> <parallelism> <entry>
import { open } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { slowSink } from "./fixture.ts";

const [path, times, parallelism, entry] = process.argv.slice(2) as [string, string, string, string];
const CONSUMER_BYTES_PER_SECOND = 10e6;
const READ_SIZE = 64 * 1024;

interface Library {
  StreamLayer: new (source: ReadableStream<Uint8Array>, options: object) => { compressed(): ReadableStream<Uint8Array> };
}

/** `path` read `times` times over, in fresh 64 KiB buffers: never in memory whole. */
function fromDisk(): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let position = 0;
  let round = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      handle ??= await open(path);
      while (round < Number(times)) {
        const buffer = new Uint8Array(READ_SIZE);
        const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, position);
        if (bytesRead > 0) {
          position += bytesRead;
          return controller.enqueue(buffer.subarray(0, bytesRead));
        }
        position = 0;
        round++;
      }
      await handle.close();
      controller.close();
    },
  }, { highWaterMark: 0 });
}

const { StreamLayer } = (await import(pathToFileURL(entry).href)) as Library;
globalThis.gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
const layer = new StreamLayer(fromDisk(), { compression: "zstd", requireTar: false, parallelism: Number(parallelism) });
await layer.compressed().pipeTo(slowSink(CONSUMER_BYTES_PER_SECOND));
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
process.stdout.write(JSON.stringify({ baseline, peak }));
