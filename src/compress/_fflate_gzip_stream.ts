import type { CompressionLevel, Compressor } from "./compressor.ts";

/**
 * Gzip in JavaScript with fflate, for runtimes without `CompressionStream` or
 * without a native zlib when a level is asked for. `mtime: 0` keeps the time
 * out of the header.
 *
 * fflate is imported here, on first use, so that bundles which never need it
 * do not carry it.
 */
export async function fflateGzipStream(level: CompressionLevel | undefined): Promise<Compressor> {
  const { Gzip } = await import("fflate");
  let gzip: InstanceType<typeof Gzip>;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gzip = new Gzip({ mtime: 0, level: level ?? 6 }, (data) => {
        if (data.length > 0) controller.enqueue(data);
      });
    },
    transform(chunk) {
      gzip.push(chunk);
    },
    flush() {
      gzip.push(new Uint8Array(0), true);
    },
  });
}
