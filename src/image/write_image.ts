import type { Layer, LayerValues } from "../layer/layer.ts";
import { knownDescriptor, mountSource } from "../layer/_partial.ts";
import { RegistryClient, type RegistryClientOptions } from "../registry/client.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import type { UploadProgress } from "../registry/progress.ts";
import { parseReference } from "../registry/reference.ts";
import { digestLike } from "../hash/_pinned_digest.ts";
import { uploadLayer, type UploadLayerOptions } from "../registry/upload_layer.ts";
import type { Image } from "./image.ts";
import { cancelUnread, checkJobs, runBounded } from "./_run_bounded.ts";

/** Where the upload of one layer of an image stands. */
export interface ImageUploadProgress extends UploadProgress {
  /** The layer's position in the image, 0 for the bottom one. */
  readonly layer: number;
}

/** Options of {@link writeImage}: the client's, the upload's, and how many layers at once. */
export interface WriteImageOptions extends RegistryClientOptions, Omit<UploadLayerOptions, "onProgress"> {
  /**
   * How many layers are uploaded at the same time.
   * @default 3
   */
  jobs?: number;
  /**
   * Called with each layer's progress, at most every 100 ms per layer and once at its end.
   * @default undefined
   */
  onProgress?: (progress: ImageUploadProgress) => void;
  /**
   * Called as the push moves past its layers: with `"config"` once every
   * layer is in the registry and the config is about to be uploaded, then with
   * `"manifest"` just before the manifest is put. The push has ended only when
   * `writeImage` resolves. A callback that throws is ignored.
   * @default undefined
   */
  onPhase?: (phase: ImageWritePhase) => void;
}

/**
 * The steps of {@link writeImage} after the layers, as {@link WriteImageOptions.onPhase} reports them.
 *
 * @example Saying what the push is doing
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, StreamLayer, writeImage, type ImageWritePhase } from "streamlayer";
 *
 * const steps: string[] = [];
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * await writeImage("127.0.0.1:5000/hello:phases", appendLayers(emptyImage(), layer), {
 *   onProgress: (p) => p.done && steps.push("layer uploaded"),
 *   onPhase: (phase: ImageWritePhase) => steps.push(phase === "config" ? "writing the config" : "writing the manifest"),
 * });
 * assert.deepEqual(steps, ["layer uploaded", "writing the config", "writing the manifest"]);
 * ```
 */
export type ImageWritePhase = "config" | "manifest";

/**
 * Pushes an image: its layers (streaming ones through the chunked or streamed
 * upload, up to `jobs` at a time; base layers mounted from their repository
 * on the same registry, or copied blob to blob, streamed, from another
 * registry; blobs the registry has are skipped), then its config, then its
 * manifest under the tag. The counterpart of go-containerregistry's
 * `remote.Write`. The config and manifest exist only once every streaming
 * layer has been uploaded, so nothing is read twice.
 *
 * @param reference Where to push: `host[:port]/name[:tag]`, or `...@sha256:` to push by digest.
 * @param image The image, such as `appendLayers(await pullImage(base), layer)`.
 * @param options Credentials, fetch, signal, upload mode, chunk size, jobs, progress.
 * @returns The manifest's descriptor.
 * @throws {InvalidReferenceError} for a bad reference.
 * @throws {RegistryError} when the registry refuses; {@link AuthError} on 401/403.
 * @throws {UploadNotResumableError} when a streaming layer's upload cannot go on.
 * @throws {DigestMismatchError} when a digest in the reference, or one the registry reports, differs.
 * @throws the signal's reason when aborted; a source's error when it fails.
 *
 * @example Pushing a one-layer image
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, StreamLayer, writeImage } from "streamlayer";
 *
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hi\n" }]));
 * const descriptor = await writeImage("127.0.0.1:5000/hello:1", appendLayers(emptyImage(), layer));
 * assert.equal(descriptor.mediaType, "application/vnd.oci.image.manifest.v1+json");
 * assert.match(descriptor.digest, /^sha256:[0-9a-f]{64}$/); // the manifest's digest
 * ```
 */
export async function writeImage(reference: string, image: Image, options: WriteImageOptions = {}): Promise<Descriptor> {
  const parsed = parseReference(reference, { insecure: options.insecure });
  const jobs = checkJobs(options.jobs ?? 3);
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const client = new RegistryClient(parsed, { ...options, signal });
  const layers = [...new Set(image.layers())];
  try {
    // The first failure aborts the others at once; each then deletes its own session.
    await runBounded(layers, jobs, (layer, index) => writeOneLayer(client, layer, index, options), (error) => controller.abort(error));
  } catch (error) {
    await Promise.all(layers.map((layer) => cancelUnread(layer, error)));
    throw error;
  }
  const values = await image.values();
  reportPhase(options.onPhase, "config");
  await uploadLayer(client, knownBlob(values.rawConfigFile, values.config), { upload: "chunked", chunkSize: options.chunkSize });
  // A digest in the reference promises the content, with or without a tag.
  const promised = parsed.digest === undefined ? undefined : await digestLike(parsed.digest, values.rawManifest);
  if (parsed.digest !== undefined && parsed.digest !== promised) {
    throw new DigestMismatchError(parsed.digest, promised ?? "", `manifest of ${reference}`);
  }
  reportPhase(options.onPhase, "manifest");
  await client.putManifest(parsed.tag ?? values.descriptor.digest, values.rawManifest, values.descriptor.mediaType);
  return { mediaType: values.descriptor.mediaType, digest: values.descriptor.digest, size: values.descriptor.size };
}

// A progress display must not break the push.
function reportPhase(onPhase: ((phase: ImageWritePhase) => void) | undefined, phase: ImageWritePhase): void {
  try {
    onPhase?.(phase);
  } catch {
    // ignored, as onProgress's errors are
  }
}

async function writeOneLayer(client: RegistryClient, layer: Layer, index: number, options: WriteImageOptions): Promise<void> {
  // A layer stored in another repository of this registry is mounted, when
  // its digest is known without reading it.
  const from = mountSource(layer);
  if (from && from.registry === client.reference.registry && from.repository !== client.reference.repository) {
    const known = await knownDescriptor(layer);
    if (known && (await client.headBlob(known.digest))) return;
    if (known && (await client.mountBlob(known.digest, from.repository))) return;
  }
  // A layer from another registry is copied here, blob to blob: its
  // compressed() streams the GET into the upload.
  const onProgress = options.onProgress;
  await uploadLayer(client, layer, { ...options, onProgress: onProgress && ((progress) => onProgress({ ...progress, layer: index })) });
}

// The config's bytes were hashed once, when the image named them; a
// blobLayer would hash them again. As they are not compressed, their DiffID
// is their digest.
function knownBlob(bytes: Uint8Array, descriptor: Descriptor): Layer {
  const values: LayerValues = { digest: descriptor.digest, diffID: descriptor.digest, size: bytes.length };
  return {
    digest: async () => values.digest,
    diffID: async () => values.diffID,
    size: async () => values.size,
    mediaType: () => descriptor.mediaType,
    knownDescriptor: async () => descriptor,
    computed: () => values,
    compressed: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
  };
}
