import type { Compressor } from "./compressor.ts";

/**
 * Gzip in JavaScript with fflate, for runtimes without `CompressionStream` or
 * without a native zlib when a level is asked for. `mtime: 0` keeps the time
 * out of the header, so the same input gives the same bytes.
 *
 * fflate is imported here, on first use, so that bundles which never need it
 * do not carry it.
 */
export async function fflateGzipStream(level: number | undefined): Promise<Compressor> {
  const { Gzip } = await import("fflate");
  const options = { mtime: 0, level: (level ?? 6) as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 };
  let gzip: InstanceType<typeof Gzip>;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gzip = new Gzip(options, (data) => {
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
