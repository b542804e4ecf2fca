import type { CompressionLevel, Compressor, CompressorChoice, CompressorName, CompressorOption } from "./compressor.ts";
import { CompressorUnavailableError } from "./errors.ts";
import { fflateGzipStream } from "./_fflate_gzip_stream.ts";
import { availableCores, hasUnboundedCompressionStream, isNodeLike, loadZlib } from "./_runtime.ts";
import { zlibGzipStream } from "./_zlib_gzip_stream.ts";

/**
 * Which compressor `auto` stands for here.
 *
 * Without a level: `CompressionStream` where it exists, except in Node and in
 * Cloudflare Workers, whose `CompressionStream` does not pass backpressure on
 * (measured: 1.1 GiB held for a 1 GiB layer and a slow reader in Node), so
 * zlib in Node, fflate in Workers (no `node:zlib` there without Node
 * compatibility). With a level, which
 * `CompressionStream` cannot take: the native zlib where there is one, else
 * fflate. fflate also stands in wherever nothing else is available. In Node
 * with more than one core, with or without a level, the native zlib on several
 * threads (`parallel-zlib`): measured 1.5× go-containerregistry at level 1 on
 * two cores, where one zlib stream cannot pass 0.92×. Never `parallel-pako`
 * (pako in Web Workers): measured on two busy shared cores (bench/web_workers.ts,
 * 32 and 64 MiB, medians of 3 rounds), Deno's `CompressionStream` was 2.3 to
 * 5× its speed and Chromium's 1.3 to 1.9× (levels 1 and 6); with a level,
 * fflate on one thread (what `auto` takes in browsers) was 1.2 to 2× it.
 * In Workers, StreamLayer with fflate takes about twice the CPU of the bare
 * `CompressionStream` pipeline (×0.45 of its speed, bench/web_runtimes.ts);
 * driving the native one by pull (input handed on only while its output is
 * asked for, bench/_pulled_compression_stream.ts) reached ×0.87 to ×0.90 in
 * CPU time, but workerd grew by 107 MiB for a 320 MiB layer and a slow reader
 * in the one run measured (14 to 46 MiB with fflate), so fflate stays.
 */
export async function resolveCompressor(choice: CompressorChoice, level: CompressionLevel | undefined): Promise<CompressorName> {
  if (choice !== "auto") return choice;
  if (isNodeLike() && availableCores() > 1 && (await loadZlib())) return "parallel-zlib";
  if (level === undefined && !hasUnboundedCompressionStream() && hasCompressionStream()) return "compression-stream";
  return (await loadZlib()) ? "zlib" : "fflate";
}

/** Options for {@link createCompressor}. */
export interface CreateCompressorOptions {
  /**
   * `parallel-zlib` only: how many 1 MiB blocks may be compressing or waiting
   * at once, which bounds both the parallelism and the memory.
   *
   * @default the cores available + 2, at most 4 (Node's thread pool has 4 threads)
   */
  blocksInFlight?: number;
}

/**
 * Creates a gzip compressor.
 *
 * @throws {CompressorUnavailableError} when the named compressor cannot run here.
 */
export async function createCompressor(name: CompressorName, level: CompressionLevel | undefined, options: CreateCompressorOptions = {}): Promise<Compressor> {
  switch (name) {
    case "compression-stream":
      if (!hasCompressionStream()) throw new CompressorUnavailableError("Cannot compress: CompressionStream is not available in this runtime");
      return new CompressionStream("gzip") as Compressor;
    case "zlib": {
      const zlib = await loadZlib();
      if (!zlib) throw new CompressorUnavailableError("Cannot compress: node:zlib is not available in this runtime");
      return zlibGzipStream(zlib, level);
    }
    case "fflate":
      return fflateGzipStream(level);
    case "parallel-zlib": {
      const zlib = await loadZlib();
      if (!zlib) throw new CompressorUnavailableError("Cannot compress: node:zlib is not available in this runtime");
      const { parallelZlibStream } = await import("./_parallel_zlib_stream.ts");
      return parallelZlibStream(zlib, level, availableCores(), options.blocksInFlight);
    }
    case "parallel-pako": {
      const { workerBlockGzipStream } = await import("./_worker_block_gzip_stream.ts");
      return workerBlockGzipStream(availableCores(), { ...(level === undefined ? {} : { level }), ...(options.blocksInFlight === undefined ? {} : { blocksInFlight: options.blocksInFlight }) });
    }
  }
}

/**
 * The compressor a layer asked for: the user's own, from their factory, or
 * the named one (`auto` resolved here).
 *
 * @throws {CompressorUnavailableError} when the named compressor cannot run here.
 */
export async function compressorFor(option: CompressorOption, level: CompressionLevel | undefined, options: CreateCompressorOptions = {}): Promise<Compressor> {
  if (typeof option === "function") return option(level);
  return createCompressor(await resolveCompressor(option, level), level, options);
}

/** Whether the platform has `CompressionStream`. */
export function hasCompressionStream(): boolean {
  return typeof globalThis.CompressionStream === "function";
}
