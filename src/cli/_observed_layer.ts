import type { Layer } from "../layer/layer.ts";

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
    // The capabilities pass through, bound to the layer they belong to.
    ...(layer.computed && { computed: layer.computed.bind(layer) }),
    ...(layer.knownDescriptor && { knownDescriptor: layer.knownDescriptor.bind(layer) }),
    ...(layer.bytesRead && { bytesRead: layer.bytesRead.bind(layer) }),
    ...(layer.mountFrom && { mountFrom: layer.mountFrom }),
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
