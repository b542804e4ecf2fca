import type { Layer } from "../layer/layer.ts";
import { ComposedImage } from "./_composed_image.ts";
import type { Image } from "./image.ts";

/**
 * A new image: `image` with `layers` on top, in the order given.
 *
 * Nothing is read here. The new image's config and manifest are computed only
 * once every streaming layer has been consumed by whoever uploads or writes
 * it: until then `computed()` throws `NotComputedError` and `values()` waits.
 * The counterpart of go-containerregistry's `mutate.Append`.
 *
 * @param image An image from {@link emptyImage}, {@link pullImage} or an earlier `appendLayers`.
 * @param layers The layers to add, streaming or not.
 * @returns The new image; `image` itself is unchanged.
 * @throws {TypeError} when `image` was not made by streamlayer, or a layer is missing.
 *
 * @example Appending a streaming layer
 * ```ts
 * import { appendLayers, createTarStream, emptyImage, StreamLayer } from "streamlayer";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * const image = appendLayers(emptyImage(), layer);
 * // image.computed() throws NotComputedError until the layer's stream is read to its end:
 * await new Response(layer.compressed()).arrayBuffer(); // writeImage or writeLayout do this
 * const { manifest } = await image.values();
 * console.log(manifest.layers[0]?.digest === (await layer.digest())); // true
 * ```
 */
export function appendLayers(image: Image, ...layers: Layer[]): Image {
  if (!(image instanceof ComposedImage)) {
    throw new TypeError("appendLayers: the image must come from emptyImage, pullImage or appendLayers");
  }
  for (const [index, layer] of layers.entries()) {
    if (typeof layer?.compressed !== "function") throw new TypeError(`appendLayers: layer ${index} is not a layer`);
  }
  return new ComposedImage(image.base, [...image.added, ...layers]);
}
