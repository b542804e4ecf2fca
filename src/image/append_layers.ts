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
 * @param image Any {@link Image}: from {@link emptyImage}, {@link pullImage}, an earlier
 * `appendLayers`, or one of your own, read through the `Image` interface.
 * @param layers The layers to add, streaming or not.
 * @returns The new image; `image` itself is unchanged.
 * A layer takes the media type of the image's format: a gzip layer appended
 * to a Docker v2 image is listed as Docker's `…rootfs.diff.tar.gzip`, to an
 * OCI image as OCI's `…layer.v1.tar+gzip`, whatever the layer itself says.
 *
 * @throws {TypeError} when `image` is not an image, or a layer is missing.
 * @throws {UnsupportedImageError} when a Docker v2 image cannot list a layer (zstd, uncompressed).
 *
 * @example Appending a streaming layer
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, StreamLayer } from "streamlayer";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * const image = appendLayers(emptyImage(), layer);
 * // image.computed() throws NotComputedError until the layer's stream is read to its end:
 * await new Response(layer.compressed()).arrayBuffer(); // writeImage or writeLayout do this
 * const { manifest } = await image.values();
 * assert.equal(manifest.layers[0]?.digest, await layer.digest());
 * ```
 */
export function appendLayers(image: Image, ...layers: Layer[]): Image {
  if (typeof image?.values !== "function" || typeof image.layers !== "function" || typeof image.mediaType !== "function") {
    throw new TypeError("appendLayers: the image is not an Image (format, mediaType(), layers(), values(), computed())");
  }
  for (const [index, layer] of layers.entries()) {
    if (typeof layer?.compressed !== "function") throw new TypeError(`appendLayers: layer ${index} is not a layer`);
    if (layerMediaTypeFor(image.format, layer.mediaType()) === undefined) {
      throw new UnsupportedImageError("(a Docker v2 base)", `its manifest cannot list layer ${index} of media type ${layer.mediaType()}: append gzip layers, or start from an OCI image`);
    }
  }
  // Appending to an image appendLayers made gives one image over the same
  // base, not a chain: one config and manifest are hashed at the end.
  if (image instanceof ComposedImage) return new ComposedImage(image.base, [...image.added, ...layers]);
  return new ComposedImage(image, layers);
}
