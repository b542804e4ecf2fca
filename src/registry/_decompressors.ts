import { gunzipStream } from "../layer/_gunzip_stream.ts";
import { UncompressedUnavailableError } from "../layer/errors.ts";

/** Makes a decompressor for one layer's bytes. */
export type DecompressorFactory = () => Promise<TransformStream<Uint8Array, Uint8Array>>;

/** How a layer's media type says its tar is compressed. */
export type LayerCompression = "gzip" | "zstd" | "none";

/**
 * The decompressors of layer blobs, by compression: the one place to add a
 * format. gzip (one member or many, as Go reads it) and zstd (one frame or
 * many, zstd's own decoder in WebAssembly, loaded only for a zstd layer)
 * everywhere; an uncompressed tar as it is.
 */
const DECOMPRESSORS: Readonly<Record<LayerCompression, DecompressorFactory>> = {
  gzip: gunzipStream,
  zstd: zstdDecoder,
  none: () => Promise.resolve(new TransformStream<Uint8Array, Uint8Array>()),
};

/**
 * The compression of a layer media type: OCI's `…tar+gzip`, `…tar+zstd` and
 * `…tar`, Docker's `…tar.gzip` (foreign layers too), `…tar.zstd` and `…tar`.
 * Undefined for a media type that is not a layer's.
 */
export function compressionOf(mediaType: string): LayerCompression | undefined {
  if (/\.tar(?:\+|\.)gzip$/.test(mediaType)) return "gzip";
  if (/\.tar(?:\+|\.)zstd$/.test(mediaType)) return "zstd";
  if (/(?:\.layer\.v1|\.rootfs\.diff|\.rootfs\.foreign\.diff)\.tar$/.test(mediaType)) return "none";
  return undefined;
}

/**
 * The decompressor for a layer of `mediaType`.
 *
 * @throws {UncompressedUnavailableError} when the media type is not a layer's, or its compression has no decoder here.
 */
export function decompressorFor(mediaType: string): DecompressorFactory {
  const compression = compressionOf(mediaType);
  if (compression === undefined) {
    throw new UncompressedUnavailableError(`Cannot decompress a layer of media type "${mediaType}": not a known layer media type (tar, tar+gzip, tar+zstd)`);
  }
  return DECOMPRESSORS[compression];
}

/** zstd's decoder (the zstd.wasm that writes zstd layers), loaded on first use. */
async function zstdDecoder(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  const { zstdDecompressStream } = await import("../compress/zstd/_zstd_decompress_stream.ts");
  return zstdDecompressStream();
}
