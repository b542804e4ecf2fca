// One round of the web-runtime benchmark, in whichever runtime runs it
// (Chromium, Deno, workerd): the same bytes, fed in pieces of `chunkSize`,
// through the bare CompressionStream pipeline and through StreamLayer with its
// default options (both SHA-256s and the size), cases in an order rotated by
// the round. Web-platform globals only.
import { StreamLayer, type StreamLayerOptions } from "../src/index.ts";
import { compressBlock, ZSTD_BLOCK_SIZE, ZSTD_FRAME_ROOM } from "../src/compress/zstd/_zstd_block.ts";
import { ZstdWasm } from "../src/compress/zstd/_zstd_wasm.ts";
import { pulledCompressionStream } from "./_pulled_compression_stream.ts";

/** The cases of a round; the first is the baseline the others are divided by. */
export const WEB_RUNTIME_CASES = ["CompressionStream (bare pipeline)", "StreamLayer (default options)"] as const;
/** Cases run only where asked for: how one option compares, while deciding what the default should be. */
export const EXTRA_CASES = ["StreamLayer (pulled CompressionStream)", "StreamLayer (hashes on this thread)"] as const;
/**
 * zstd's encoder with nothing around it: the tar's 2 MiB blocks compressed at
 * level 3 on this thread, with no hashing and no streams: the most a one-thread
 * zstd layer can give here, whatever the layer around it does.
 */
export const ZSTD_ALONE = "zstd.wasm alone, level 3, one thread (no hashing, no streams)";
/** bench/zstd_web.ts's cases: zstd layers at the default level, beside the same baseline and the default gzip layer. */
export const ZSTD_CASES = ["StreamLayer zstd level 3 (default options)", "StreamLayer zstd level 3, one thread", "StreamLayer zstd level 1 (default options)", ZSTD_ALONE] as const;
export type WebRuntimeCase = (typeof WEB_RUNTIME_CASES)[number] | (typeof EXTRA_CASES)[number] | (typeof ZSTD_CASES)[number];

function layerOptions(name: WebRuntimeCase): StreamLayerOptions {
  switch (name) {
    case "StreamLayer (pulled CompressionStream)":
      return { compressor: pulledCompressionStream };
    case "StreamLayer zstd level 3 (default options)":
      return { compression: "zstd" };
    case "StreamLayer zstd level 3, one thread":
      return { compression: "zstd", parallelism: 1 };
    case "StreamLayer zstd level 1 (default options)":
      return { compression: "zstd", level: 1 };
    default:
      return {};
  }
}

function sourceOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, (offset += chunkSize)));
    },
  }, { highWaterMark: 0 });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return length;
    length += value.byteLength;
  }
}

/** Milliseconds for one case: from making the pipeline to having every value it computes. */
export async function timeCase(name: WebRuntimeCase, bytes: Uint8Array, chunkSize: number): Promise<number> {
  const started = performance.now();
  const source = sourceOf(bytes, chunkSize);
  if (name === ZSTD_ALONE) {
    if ((await zstdAlone(bytes)) === 0) throw new Error(`${name}: no output`);
  } else if (name === "CompressionStream (bare pipeline)") {
    const length = await drain(source.pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>));
    if (length === 0) throw new Error(`${name}: no output`);
  } else {
    // Without a Worker global, the layer hashes where it compresses (hash-wasm, or node:crypto where there is one).
    const Worker = globalThis.Worker;
    if (name === "StreamLayer (hashes on this thread)") Reflect.deleteProperty(globalThis, "Worker");
    const layer = new StreamLayer(source, layerOptions(name));
    const length = await drain(layer.compressed()).finally(() => Object.assign(globalThis, { Worker }));
    const [digest, , size] = await Promise.all([layer.digest(), layer.diffID(), layer.size()]);
    if (size !== length || !digest.startsWith("sha256:")) throw new Error(`${name}: size ${size} for ${length} bytes`);
  }
  return performance.now() - started;
}

/** The size of `bytes` compressed by zstd.wasm alone, block by block, as a zstd layer's frames are. */
export async function zstdAlone(bytes: Uint8Array): Promise<number> {
  const zstd = await ZstdWasm.create();
  const output = new ArrayBuffer(ZSTD_FRAME_ROOM);
  let size = 0;
  for (let offset = 0; offset < bytes.byteLength; offset += ZSTD_BLOCK_SIZE) {
    size += compressBlock(zstd, bytes.subarray(offset, offset + ZSTD_BLOCK_SIZE), 3, output).byteLength;
  }
  return size;
}

/** A source of `bytes` given `times` over, as views of them: nothing new is held. */
function repeated(bytes: Uint8Array, times: number, chunkSize: number): ReadableStream<Uint8Array> {
  let round = 0;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        offset = 0;
        if (++round >= times) return controller.close();
      }
      controller.enqueue(bytes.subarray(offset, (offset += chunkSize)));
    },
  }, { highWaterMark: 0 });
}

/**
 * StreamLayer (default options; a zstd layer with `zstd`) over `bytes` given `times` over, read by a
 * consumer that takes at most `bytesPerSecond`: whoever reads ahead of it
 * shows by holding memory, which the caller measures from outside.
 */
export async function slowConsumerLayer(bytes: Uint8Array, times: number, chunkSize: number, bytesPerSecond: number, zstd = false): Promise<{ ms: number; size: number }> {
  const started = performance.now();
  const layer = new StreamLayer(repeated(bytes, times, chunkSize), zstd ? { compression: "zstd" } : {});
  const reader = layer.compressed().getReader();
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    const due = (received / bytesPerSecond) * 1000 - (performance.now() - started);
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
  }
  const size = await layer.size();
  if (size !== received) throw new Error(`slow consumer: size ${size} for ${received} bytes`);
  return { ms: performance.now() - started, size };
}
