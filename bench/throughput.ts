// Throughput, side by side in one process on the same bytes: each compressor
// bare (piped straight to a sink) and wrapped by StreamLayer (which also
// hashes both sides and counts), plus Node's own zlib and crypto as the
// native reference. Rounds alternate the cases so that drift hits all alike.
import { createHash } from "node:crypto";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { StreamLayer, type CompressionLevel } from "../src/index.ts";
import type { CompressorName } from "../src/compress/compressor.ts";
import { createSha256 } from "../src/hash/_sha256.ts";
import { createCompressor } from "../src/compress/_create_compressor.ts";
import { MiB, discard, streamOf } from "./fixture.ts";

interface Case {
  name: string;
  run(chunks: readonly Uint8Array[]): Promise<void>;
}

export interface ThroughputRow {
  name: string;
  mbPerSecond: number;
  seconds: number;
}

function bare(compressor: CompressorName, level: CompressionLevel | undefined): Case {
  return {
    name: `bare ${label(compressor, level)}`,
    async run(chunks) {
      const gzip = await createCompressor(compressor, level);
      await streamOf(chunks).pipeThrough(gzip).pipeTo(discard());
    },
  };
}

function layer(compressor: CompressorName, level: CompressionLevel | undefined): Case {
  return {
    name: `StreamLayer ${label(compressor, level)}`,
    async run(chunks) {
      const streamLayer = new StreamLayer(streamOf(chunks), level === undefined ? { compressor } : { compressor, compressionLevel: level });
      await streamLayer.compressed().pipeTo(discard());
      await streamLayer.digest();
    },
  };
}

function nodeNative(level: CompressionLevel): Case {
  return {
    name: `node:zlib + node:crypto level ${level}`,
    async run(chunks) {
      const diffID = createHash("sha256");
      const digest = createHash("sha256");
      const hashing = (hash: ReturnType<typeof createHash>) =>
        new Transform({ transform: (chunk: Buffer, _encoding, done) => (hash.update(chunk), done(null, chunk)) });
      await pipeline(Readable.from(chunks), hashing(diffID), createGzip({ level }), hashing(digest), new Writable({ write: (_c, _e, done) => done() }));
      diffID.digest("hex");
      digest.digest("hex");
    },
  };
}

function hashOnly(): Case {
  return {
    name: "SHA-256 (createSha256: node:crypto here) of the input alone",
    async run(chunks) {
      const sha256 = await createSha256();
      for (const chunk of chunks) sha256.update(chunk);
      await sha256.digest();
    },
  };
}

function label(compressor: CompressorName, level: CompressionLevel | undefined): string {
  return level === undefined ? `${compressor} (default level)` : `${compressor} level ${level}`;
}

/** The pairs to compare: each StreamLayer case against the bare compressor it wraps. */
export const PAIRS: readonly [Case, Case][] = [
  [bare("compression-stream", undefined), layer("compression-stream", undefined)],
  [bare("zlib", 1), layer("zlib", 1)],
  [bare("zlib", 6), layer("zlib", 6)],
  [bare("parallel-zlib", 1), layer("parallel-zlib", 1)],
  [bare("parallel-zlib", 6), layer("parallel-zlib", 6)],
  [bare("fflate", 1), layer("fflate", 1)],
  [bare("fflate", 6), layer("fflate", 6)],
];
const REFERENCES: readonly Case[] = [nodeNative(1), nodeNative(6), hashOnly()];

/** Runs every case `rounds` times, alternating, and keeps each case's best time. */
export async function measureThroughput(chunks: readonly Uint8Array[], rounds: number): Promise<Map<string, ThroughputRow>> {
  const bytes = chunks.reduce((total, chunk) => total + chunk.length, 0);
  const best = new Map<string, ThroughputRow>();
  const cases = [...PAIRS.flat(), ...REFERENCES];
  for (let round = 0; round < rounds; round++) {
    for (const benchCase of cases) {
      globalThis.gc?.();
      const started = performance.now();
      await benchCase.run(chunks);
      const seconds = (performance.now() - started) / 1000;
      const previous = best.get(benchCase.name);
      if (!previous || seconds < previous.seconds) best.set(benchCase.name, { name: benchCase.name, seconds, mbPerSecond: bytes / 1e6 / seconds });
    }
  }
  return best;
}

export function throughputCaseNames(): { pairs: [string, string][]; references: string[] } {
  return { pairs: PAIRS.map(([a, b]) => [a.name, b.name]), references: REFERENCES.map((c) => c.name) };
}

export { MiB };
