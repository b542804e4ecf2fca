// Push benchmark: a 256 MiB tar of real files pushed as a StreamLayer to the
// local docker-registry in each upload mode, beside a plain `curl` upload of
// the same compressed bytes (the wire and registry limit on this machine), as
// ratios. Run alone: node --import tsx bench/push.ts   (BENCH_PUSH_MIB=64 for a quick look)
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { blobLayer, StreamLayer, writeLayer, type UploadMode } from "../src/index.ts";
import { startRegistry } from "../test/support/registry.ts";
import { benchTarball, MiB, readChunks, streamOf } from "./fixture.ts";

const run = promisify(execFile);

export interface PushRow {
  name: string;
  seconds: number;
  /** Compressed megabytes (10^6) per second on the wire. */
  mbPerSecond: number;
  /** Uncompressed (tar) megabytes per second. */
  tarMbPerSecond: number;
  /** The row's time over curl's: 1 is the wire's speed. */
  ratioToCurl: number;
  peakRssMiB: number;
}

export interface PushBenchOptions {
  /** The tar size in MiB. @default 256 */
  mib?: number;
  /** Runs per case; the best counts. @default 2 */
  rounds?: number;
  /** Bytes per PATCH in chunked mode. @default the library's default */
  chunkSize?: number;
}

/** Runs the push benchmark against a registry it starts and stops, and returns its rows. */
export async function main(options: PushBenchOptions = {}): Promise<PushRow[]> {
  const mib = options.mib ?? Number(process.env.BENCH_PUSH_MIB ?? 256);
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 2);
  const chunks = await readChunks(await benchTarball(mib * MiB));
  const tarBytes = mib * MiB;

  // The same compressed bytes for curl: what StreamLayer produces from this tar.
  const gzip = new Uint8Array(await new Response(new StreamLayer(streamOf(chunks)).compressed()).arrayBuffer());
  const digest = `sha256:${createHash("sha256").update(gzip).digest("hex")}`;
  const gzipPath = join(tmpdir(), `streamlayer-bench-push-${process.pid}.tar.gz`);
  await writeFile(gzipPath, gzip);

  const registry = await startRegistry();
  const best = new Map<string, { seconds: number; peak: number }>();
  const record = (name: string, seconds: number, peak: number) => {
    const previous = best.get(name);
    if (!previous || seconds < previous.seconds) best.set(name, { seconds, peak: Math.max(peak, previous?.peak ?? 0) });
  };
  try {
    for (let round = 0; round < rounds; round++) {
      const curlStart = performance.now();
      await curlUpload(registry.url, `bench/curl${round}`, gzipPath, digest);
      record("curl (PUT of the precomputed gzip)", (performance.now() - curlStart) / 1000, 0);
      const compressStart = performance.now();
      await new StreamLayer(streamOf(chunks)).compressed().pipeTo(new WritableStream());
      record("StreamLayer compression alone (no upload)", (performance.now() - compressStart) / 1000, 0);
      const blobStart = performance.now();
      await writeLayer(`${registry.host}/bench/blob${round}`, blobLayer(gzip), { chunkSize: options.chunkSize });
      record("streamlayer chunked, precompressed blob", (performance.now() - blobStart) / 1000, 0);
      for (const upload of ["chunked", "stream"] satisfies UploadMode[]) {
        globalThis.gc?.();
        const baseline = process.memoryUsage.rss();
        let peak = baseline;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
        const start = performance.now();
        const descriptor = await writeLayer(`${registry.host}/bench/${upload}${round}`, new StreamLayer(streamOf(chunks)), { upload, chunkSize: options.chunkSize });
        const seconds = (performance.now() - start) / 1000;
        clearInterval(sampler);
        if (descriptor.digest !== digest) throw new Error(`Digest differs from the curl upload's: ${descriptor.digest} != ${digest}`);
        record(`streamlayer ${upload}`, seconds, (peak - baseline) / MiB);
      }
    }
  } finally {
    await registry.stop();
    await rm(gzipPath, { force: true });
  }
  const curl = best.get("curl (PUT of the precomputed gzip)")!.seconds;
  return [...best].map(([name, { seconds, peak }]) => ({
    name,
    seconds,
    mbPerSecond: gzip.byteLength / 1e6 / seconds,
    tarMbPerSecond: tarBytes / 1e6 / seconds,
    ratioToCurl: seconds / curl,
    peakRssMiB: peak,
  }));
}

async function curlUpload(base: string, repository: string, path: string, digest: string): Promise<void> {
  const { stdout } = await run("curl", ["-sS", "-X", "POST", "-D", "-", "-o", "/dev/null", `${base}/v2/${repository}/blobs/uploads/`]);
  const location = /^location:\s*(\S+)/im.exec(stdout)?.[1];
  if (!location) throw new Error(`curl: no Location in ${stdout}`);
  const url = new URL(location, base);
  url.searchParams.set("digest", digest);
  const { stdout: status } = await run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/octet-stream", "-T", path, url.href]);
  if (status !== "201") throw new Error(`curl: PUT answered ${status}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await main();
  console.log(`Push of a ${process.env.BENCH_PUSH_MIB ?? 256} MiB tar of real files to the local docker-registry (best of rounds)`);
  for (const row of rows) {
    const peak = row.peakRssMiB === 0 ? "" : `   RSS +${row.peakRssMiB.toFixed(0)} MiB`;
    console.log(`${row.name.padEnd(42)} ${row.mbPerSecond.toFixed(1).padStart(7)} MB/s gzip  ${row.tarMbPerSecond.toFixed(1).padStart(7)} MB/s tar   ${row.seconds.toFixed(2).padStart(6)} s   time ratio to curl ${row.ratioToCurl.toFixed(2)}${peak}`);
  }
}
