import { gunzipStream } from "../layer/_gunzip_stream.ts";
import { UncompressedUnavailableError } from "../layer/errors.ts";

/** Makes a decompressor for one layer's bytes. */
export type DecompressorFactory = () => Promise<TransformStream<Uint8Array, Uint8Array>>;

/** How a layer's media type says its tar is compressed. */
export type LayerCompression = "gzip" | "zstd" | "none";

/**
 * The decompressors of layer blobs, by compression: the one place to add a
 * format. gzip (one member or many) everywhere; zstd where the platform's
 * `DecompressionStream` knows `"zstd"`, until a portable decoder is added
 * here; an uncompressed tar as it is.
 */
const DECOMPRESSORS: Readonly<Record<LayerCompression, DecompressorFactory>> = {
  gzip: gunzipStream,
  zstd: nativeZstd,
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

async function nativeZstd(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  try {
    return new DecompressionStream("zstd" as CompressionFormat) as unknown as TransformStream<Uint8Array, Uint8Array>;
  } catch (cause) {
    throw new UncompressedUnavailableError("Cannot decompress a zstd layer: this runtime's DecompressionStream has no zstd, and streamlayer has no zstd decoder of its own yet", { cause });
  }
}
