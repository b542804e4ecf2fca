import type { Layer } from "../layer/layer.ts";
import { gunzipStream } from "../layer/_gunzip_stream.ts";
import { UnsupportedImageError } from "./errors.ts";

type MaybeUncompressed = Layer & { uncompressed?: () => ReadableStream<Uint8Array> };

/**
 * A layer's tar: its own `uncompressed()` where it has one that works (a
 * pulled layer's checks the DiffID), else its `compressed()` bytes gunzipped
 * here (a streaming layer, whose `uncompressed()` refuses, is read once this
 * way), or as they are for an uncompressed tar layer.
 *
 * @throws {UnsupportedImageError} for a media type that is neither gzip nor a plain tar.
 */
export async function layerTar(layer: Layer, position: number): Promise<ReadableStream<Uint8Array>> {
  const uncompressed = (layer as MaybeUncompressed).uncompressed;
  if (typeof uncompressed === "function") {
    try {
      return uncompressed.call(layer);
    } catch (error) {
      if (!(error instanceof Error && error.name === "UncompressedUnavailableError")) throw error;
    }
  }
  const mediaType = layer.mediaType();
  if (/(\+|\.tar\.)gzip$/.test(mediaType)) return layer.compressed().pipeThrough(await gunzipStream());
  if (/(\.|\/)tar$/.test(mediaType)) return layer.compressed();
  throw new UnsupportedImageError(`layer ${position}`, `cannot read a layer of media type ${mediaType}`);
}
