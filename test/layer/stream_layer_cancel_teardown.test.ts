// Cancelling a layer's compressed stream at any moment, above all while the
// compressor is flushing the end of the layer, must tear everything down
// without throwing outside the stream (an exception thrown from an event
// listener ends the host process) and must settle every promise of the layer.
// The cancel comes 0–2 ms after the source has handed out its end, which is
// when a compressor is most likely to be in its flush.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StreamLayer, type CompressionLevel, type StreamLayerOptions } from "../../src/index.ts";
import { tarLikeBytes, withTarHeader } from "../support/bytes.ts";

const TRIES = 200;
const SETTLE_LIMIT_MS = 10_000;
const LEVELS: readonly CompressionLevel[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

interface CompressorCase {
  name: string;
  options(level: CompressionLevel): StreamLayerOptions;
  /** Input size, when the default would not reach the compressor's interesting states. */
  bytes?: number;
}

const compressors: CompressorCase[] = [
  { name: "zlib", options: (level) => ({ compressor: "zlib", compressionLevel: level }) },
  { name: "fflate", options: (level) => ({ compressor: "fflate", compressionLevel: level }) },
  { name: "compression-stream", options: () => ({ compressor: "compression-stream" }) },
  { name: "deterministic", options: (level) => ({ deterministic: true, compressionLevel: level }) },
  // Several 1 MiB blocks, so that a cancel finds some compressing on other threads.
  { name: "parallel-zlib", options: (level) => ({ compressor: "parallel-zlib", compressionLevel: level }), bytes: 2 * 1024 * 1024 + 5 },
  { name: "auto", options: () => ({}) },
];

// Collected rather than left to crash the run, so that a failure names its case.
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);
before(() => {
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
});
after(() => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
});

/** A source of `bytes` in 64 KiB pieces that says when it has handed out its end. */
function endingSource(bytes: Uint8Array): { stream: ReadableStream<Uint8Array>; ended: Promise<void> } {
  let offset = 0;
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close();
          markEnded();
          return;
        }
        controller.enqueue(bytes.subarray(offset, (offset += 65_536)));
      },
      cancel() {
        markEnded();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, ended };
}

type Moment = "before start" | "mid-stream" | "at the end" | "after close";

/** Cancels `layer`'s compressed stream at `moment`; resolves once every promise of the layer has settled. */
async function cancelAt(layer: StreamLayer, ended: Promise<void>, moment: Moment, delayMs: number): Promise<void> {
  const reader = layer.compressed().getReader();
  const cancelled: Promise<void>[] = [];
  if (moment === "before start") cancelled.push(reader.cancel(new Error("stop before start")));
  let sourceEnded = false;
  void ended.then(() => (sourceEnded = true));
  let reads = 0;
  for (;;) {
    if (moment === "mid-stream" && reads === 2) break;
    if (moment === "at the end" && sourceEnded) break;
    const { done } = await reader.read().catch(() => ({ done: true }));
    reads++;
    if (done) break;
  }
  if (moment !== "before start") {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    cancelled.push(reader.cancel(new Error(`stop ${moment}`)));
  }
  const settled = Promise.allSettled([layer.digest(), layer.diffID(), layer.size(), ...cancelled]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    settled.then(() => "settled"),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve("pending"), SETTLE_LIMIT_MS))),
  ]);
  clearTimeout(timer);
  assert.equal(outcome, "settled", `every promise of the layer settles after a cancel ${moment}`);
}

describe("cancelling a layer's compressed stream", () => {
  for (const compressor of compressors) {
    // Large enough that the compressor still has output to give when the source
    // ends, small enough for 200 tries per compressor. A tar header first makes
    // it pass for a tar whatever checks a layer makes of its source.
    const bytes = withTarHeader(tarLikeBytes(compressor.bytes ?? 384 * 1024, 7));

    test(`${compressor.name}: ${TRIES} cancels 0–2 ms after the source ended, at levels 0–9: no crash, every promise settled`, async () => {
      const before = escaped.length;
      for (let attempt = 0; attempt < TRIES; attempt++) {
        const level = LEVELS[attempt % LEVELS.length]!;
        const { stream, ended } = endingSource(bytes);
        await cancelAt(new StreamLayer(stream, compressor.options(level)), ended, "at the end", attempt % 3);
      }
      // A listener's exception surfaces on a later turn: give it one.
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(escaped.slice(before), [], "nothing thrown outside the stream");
    });

    test(`${compressor.name}: a cancel before start, mid-stream and after close tears down quietly`, async () => {
      const before = escaped.length;
      for (const moment of ["before start", "mid-stream", "after close"] as const) {
        for (const level of [0, 1, 6, 9] as const) {
          const { stream, ended } = endingSource(bytes);
          await cancelAt(new StreamLayer(stream, compressor.options(level)), ended, moment, level % 3);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(escaped.slice(before), [], "nothing thrown outside the stream");
    });
  }
});
