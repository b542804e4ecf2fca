import type { Layer, LayerValues } from "../layer/layer.ts";

/**
 * `layer`, with a callback told the running count of compressed bytes as they
 * are read: the progress of a layout write, which has no upload to report.
 */
export function observedLayer(layer: Layer, onCompressed: (total: number) => void): Layer {
  return {
    digest: (): Promise<string> => layer.digest(),
    diffID: (): Promise<string> => layer.diffID(),
    size: (): Promise<number> => layer.size(),
    mediaType: (): string => layer.mediaType(),
    computed: (): LayerValues => layer.computed(),
    compressed(): ReadableStream<Uint8Array> {
      let total = 0;
      return layer.compressed().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            total += chunk.length;
            onCompressed(total);
            controller.enqueue(chunk);
          },
        }),
      );
    },
  };
}
