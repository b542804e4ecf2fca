// One memory measurement, run in a child process of its own so that each case
// starts from the same baseline: a layer of `GiB` read from disk by a consumer
// that takes at most 10 MB/s. Prints { baseline, peak } RSS in bytes as JSON.
import { StreamLayer } from "../src/index.ts";
import { slowSink, streamFromDisk } from "./fixture.ts";

const [path, times, caseName] = process.argv.slice(2) as [string, string, string];
const CONSUMER_BYTES_PER_SECOND = 10e6;

function compressed(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  switch (caseName) {
    case "StreamLayer auto":
      return new StreamLayer(source).compressed();
    case "StreamLayer parallel-zlib level 1":
      return new StreamLayer(source, { compressor: "parallel-zlib", compressionLevel: 1 }).compressed();
    case "StreamLayer zlib level 1":
      return new StreamLayer(source, { compressor: "zlib", compressionLevel: 1 }).compressed();
    case "StreamLayer fflate level 1":
      return new StreamLayer(source, { compressor: "fflate", compressionLevel: 1 }).compressed();
    case "naive tee + CompressionStream": {
      // The design this library avoids: hash one branch of a tee, compress the other.
      const [toHash, toCompress] = source.tee();
      void toHash.pipeTo(new WritableStream());
      return toCompress.pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
    }
    default:
      throw new Error(`Unknown memory case: ${caseName}`);
  }
}

globalThis.gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
await compressed(streamFromDisk(path, Number(times))).pipeTo(slowSink(CONSUMER_BYTES_PER_SECOND));
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
process.stdout.write(JSON.stringify({ baseline, peak }));
