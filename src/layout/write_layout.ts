import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Image } from "../image/image.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Layer } from "../layer/layer.ts";
import { knownDescriptor } from "../layer/_partial.ts";
import { hasBlob, writeBlobFile, writeBytesFile } from "./_blob_file.ts";
import { addToLayoutIndex, REF_NAME } from "./_layout_index.ts";
import { TAG_PATTERN } from "../oci/digest.ts";

/** Options of {@link writeLayout}. */
export interface WriteLayoutOptions {
  /**
   * The tag, stored as `org.opencontainers.image.ref.name` in index.json;
   * a manifest that held it before loses it. `null` adds the manifest untagged.
   * @default "latest"
   */
  tag?: string | null;
  /**
   * Stops the writing; the temporary file of the blob in progress is removed.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Called with each blob once it is in place (or found already there).
   * @default undefined
   */
  onBlob?: (blob: { digest: string; size: number; kind: "layer" | "config" | "manifest"; existed: boolean }) => void;
}

const OCI_LAYOUT = `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`;

/**
 * Writes `image` to an OCI image layout on disk (Node and Deno): `oci-layout`,
 * `index.json` and `blobs/sha256/...`, creating the directory or adding to an
 * existing layout. Each blob is streamed to a temporary file, its digest
 * checked, then renamed into place, so an interrupted run leaves no blob under
 * a wrong name. Streaming layers are consumed here, in order.
 *
 * @param directory The layout's directory.
 * @param image The image, for example from `appendLayers`.
 * @param options Tag, abort signal, and a callback per blob.
 * @returns The manifest's descriptor as listed in index.json.
 * @throws {DigestMismatchError} when the bytes written do not match a layer's digest.
 * @throws {TypeError} when the tag is not a valid tag.
 *
 * @example Writing an image to ./out for `skopeo inspect oci:out:demo`
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFileSync } from "node:fs";
 * import { appendLayers, createTarStream, emptyImage, StreamLayer } from "streamlayer";
 * import { writeLayout } from "streamlayer/layout";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * const descriptor = await writeLayout("out", appendLayers(emptyImage(), layer), { tag: "demo" });
 * const index = JSON.parse(readFileSync("out/index.json", "utf8"));
 * assert.equal(index.manifests[0].digest, descriptor.digest);
 * ```
 */
export async function writeLayout(directory: string, image: Image, options: WriteLayoutOptions = {}): Promise<Descriptor> {
  const tag = options.tag === undefined ? "latest" : options.tag;
  if (tag !== null && !TAG_PATTERN.test(tag)) throw new TypeError(`Invalid tag: ${JSON.stringify(tag)}`);
  await prepareLayout(directory);
  for (const layer of image.layers()) await writeLayer(directory, layer, options);

  const values = await image.values();
  for (const [kind, bytes, descriptor] of [
    ["config", values.rawConfigFile, values.config],
    ["manifest", values.rawManifest, values.descriptor],
  ] as const) {
    const existed = await hasBlob(directory, descriptor.digest, bytes.length);
    if (!existed) await writeBytesFile(directory, bytes, descriptor.digest);
    options.onBlob?.({ digest: descriptor.digest, size: bytes.length, kind, existed });
  }
  const descriptor: Descriptor = tag === null ? { ...values.descriptor } : { ...values.descriptor, annotations: { [REF_NAME]: tag } };
  // An abort that comes once the blobs are in place must still keep the tag
  // from moving: blobs nothing names are harmless, a tag the caller gave up on is not.
  options.signal?.throwIfAborted();
  await addToLayoutIndex(directory, descriptor);
  return descriptor;
}

/**
 * Writes one layer's blob into a layout, without a manifest: what
 * `streamlayer push --blob oci:<dir>` does. Creates the layout if needed; a
 * blob already there is not written again.
 *
 * @param directory The layout's directory.
 * @param layer The layer; a streaming layer is consumed here.
 * @param options Abort signal and blob callback (the tag is not used).
 * @returns The blob's descriptor.
 * @throws {DigestMismatchError} when the bytes written do not match the layer's digest.
 *
 * @example Storing a layer's blob
 * ```ts
 * import assert from "node:assert/strict";
 * import { statSync } from "node:fs";
 * import { createTarStream, StreamLayer } from "streamlayer";
 * import { writeLayoutLayer } from "streamlayer/layout";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * const descriptor = await writeLayoutLayer("out", layer);
 * // out/blobs/sha256/<hex of descriptor.digest> holds the gzip
 * assert.equal(statSync(`out/blobs/sha256/${descriptor.digest.slice("sha256:".length)}`).size, descriptor.size);
 * ```
 */
export async function writeLayoutLayer(directory: string, layer: Layer, options: WriteLayoutOptions = {}): Promise<Descriptor> {
  await prepareLayout(directory);
  return writeLayer(directory, layer, options);
}

async function prepareLayout(directory: string): Promise<void> {
  await mkdir(join(directory, "blobs", "sha256"), { recursive: true });
  if ((await readFile(join(directory, "oci-layout"), "utf8").catch(() => undefined)) === undefined) {
    await writeFile(join(directory, "oci-layout"), OCI_LAYOUT);
  }
}

async function writeLayer(directory: string, layer: Layer, options: WriteLayoutOptions): Promise<Descriptor> {
  const known = await knownDescriptor(layer);
  if (known && (await hasBlob(directory, known.digest, known.size))) {
    options.onBlob?.({ digest: known.digest, size: known.size, kind: "layer", existed: true });
    return { mediaType: layer.mediaType(), digest: known.digest, size: known.size };
  }
  const written = await writeBlobFile(directory, layer.compressed(), () => layer.digest(), options.signal);
  options.onBlob?.({ ...written, kind: "layer", existed: false });
  return { mediaType: layer.mediaType(), ...written };
}

