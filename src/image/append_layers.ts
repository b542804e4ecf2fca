import type { Layer } from "../layer/layer.ts";
import { ComposedImage } from "./_composed_image.ts";
import { UnsupportedImageError } from "./errors.ts";
import { layerMediaTypeFor } from "./media_types.ts";
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
 * A layer takes the media type of the image's format: a gzip layer appended
 * to a Docker v2 image is listed as Docker's `…rootfs.diff.tar.gzip`, to an
 * OCI image as OCI's `…layer.v1.tar+gzip`, whatever the layer itself says.
 *
 * @throws {TypeError} when `image` was not made by streamlayer, or a layer is missing.
 * @throws {UnsupportedImageError} when a Docker v2 image cannot list a layer (zstd, uncompressed).
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
    if (layerMediaTypeFor(image.format, layer.mediaType()) === undefined) {
      throw new UnsupportedImageError("(a Docker v2 base)", `its manifest cannot list layer ${index} of media type ${layer.mediaType()}: append gzip layers, or start from an OCI image`);
    }
  }
  return new ComposedImage(image.base, [...image.added, ...layers]);
}
