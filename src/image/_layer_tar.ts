import type { Layer } from "../layer/layer.ts";
import { decompressorFor } from "../registry/_decompressors.ts";

type MaybeUncompressed = Layer & { uncompressed?: () => ReadableStream<Uint8Array> };

/**
 * A layer's tar: its own `uncompressed()` where it has one that works (a
 * pulled or layout layer's checks the DiffID), else its `compressed()` bytes
 * decompressed here by media type: a `StreamLayer` or `blobLayer`, whose
 * `uncompressed()` refuses, is read this way (a streaming one, once).
 *
 * @throws {UncompressedUnavailableError} for a media type with no decompressor here.
 */
export async function layerTar(layer: Layer): Promise<ReadableStream<Uint8Array>> {
  const uncompressed = (layer as MaybeUncompressed).uncompressed;
  if (typeof uncompressed === "function") {
    try {
      return uncompressed.call(layer);
    } catch (error) {
      if (!(error instanceof Error && error.name === "UncompressedUnavailableError")) throw error;
    }
  }
  const decompressor = decompressorFor(layer.mediaType());
  return layer.compressed().pipeThrough(await decompressor());
}
