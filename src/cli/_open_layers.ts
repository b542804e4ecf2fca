import { CompressedStreamLayer } from "../layer/compressed_stream_layer.ts";
import type { Layer } from "../layer/layer.ts";
import { OCI_LAYER_ZSTD, type GzipLayerMediaType } from "../oci/media_types.ts";
import { StreamLayer } from "../layer/stream_layer.ts";
import type { CompressionLevel } from "../compress/compressor.ts";
import { openInput } from "./_input.ts";
import { peekCompression } from "../layer/_peek_compression.ts";

/** A layer read from an input: a tar compressed on the way, or a .tar.gz or .tar.zst pushed as it is. */
export type InputLayer = StreamLayer | CompressedStreamLayer;

/** The layers of a push, opened, with what the progress line needs. */
export interface OpenedLayers {
  /** The layers in order, as the image gets them; made once, when the media type is known. */
  layers(mediaType: GzipLayerMediaType): InputLayer[];
  /** The inputs' total size, when every one is a file. */
  size: number | undefined;
  /** Cancels every input (after a failure). */
  cancel(reason: unknown): Promise<void>;
}

/** How the inputs become layers. */
export interface OpenLayersOptions {
  /** What a tar is compressed with. @default "gzip" */
  compression?: "gzip" | "zstd";
  level: number | undefined;
  /** Told the total bytes read from all inputs so far. */
  onRead: (total: number) => void;
  signal?: AbortSignal;
}

/** Opens every input (files, or `-` for stdin) as a layer, in order. */
export async function openLayers(inputs: readonly string[], options: OpenLayersOptions): Promise<OpenedLayers> {
  const read = inputs.map(() => 0);
  const opened: Array<{ stream: ReadableStream<Uint8Array>; size: number | undefined; gzip: boolean; zstd: boolean }> = [];
  try {
    for (const [index, input] of inputs.entries()) {
      const { stream, size } = await openInput(input, (total) => {
        read[index] = total;
        options.onRead(read.reduce((sum, value) => sum + value, 0));
      }, options.signal);
      opened.push({ ...(await peekCompression(stream)), size });
    }
  } catch (error) {
    await Promise.all(opened.map(({ stream }) => stream.cancel(error).catch(() => {})));
    throw error;
  }
  const sizes = opened.map(({ size }) => size);
  return {
    layers: (mediaType) =>
      opened.map(({ stream, gzip, zstd }) => {
        if (gzip) return new CompressedStreamLayer(stream, { mediaType });
        if (zstd) return new CompressedStreamLayer(stream, { compression: "zstd" });
        if (options.compression === "zstd") return new StreamLayer(stream, { compression: "zstd", level: options.level, mediaType: OCI_LAYER_ZSTD });
        return new StreamLayer(stream, { level: options.level as CompressionLevel | undefined, mediaType });
      }),
    size: sizes.every((size) => size !== undefined) ? sizes.reduce((sum, size) => sum + size, 0) : undefined,
    cancel: async (reason) => {
      await Promise.all(opened.map(({ stream }) => stream.cancel(reason).catch(() => {})));
    },
  };
}

/** Every layer's values, for the summary. */
export function layerSummaries(layers: readonly InputLayer[]): Array<{ mediaType: string; digest: string; diffID: string; size: number }> {
  return layers.map((layer) => ({ mediaType: layer.mediaType(), ...layer.computed() }));
}
