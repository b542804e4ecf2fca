import type { Layer, LayerValues, MountSource } from "../layer/layer.ts";
import type { RegistryClient } from "./client.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { decodedLayer } from "./_decoded_layer.ts";
import { compressionOf, decompressorFor } from "./_decompressors.ts";

/**
 * A layer of an image in a registry, known by its descriptor and DiffID, whose
 * bytes are fetched only when `compressed()` or `uncompressed()` is read, and
 * checked as they stream (the blob against its digest and size, the tar
 * against the DiffID: see docs/transport.md). Its `knownDescriptor()`
 * and `mountFrom` capabilities let `writeImage` skip it when the registry
 * has it, mount it across repositories of the same registry, or else copy it
 * blob to blob.
 *
 * @example Where the base layers of a pulled image live
 * ```ts
 * import assert from "node:assert/strict";
 * import { pullImage } from "streamlayer";
 * import { RemoteLayer } from "streamlayer/registry";
 *
 * const base = await pullImage("127.0.0.1:5000/alpine:3");
 * const { manifest } = await base.values();
 * for (const [index, layer] of base.layers().entries()) {
 *   assert.ok(layer instanceof RemoteLayer);
 *   assert.equal(layer.mountFrom.repository, "alpine"); // mounted from there when pushed to the same registry
 *   assert.equal(layer.descriptor.digest, manifest.layers[index]?.digest);
 * }
 * ```
 */
export class RemoteLayer implements Layer {
  /** The descriptor the image's manifest gives the layer. */
  readonly descriptor: Descriptor;
  /** The registry host and repository it is stored in. */
  readonly mountFrom: MountSource;
  readonly #diffID: string;
  readonly #client: RegistryClient;

  /**
   * A layer of a pulled image, read from the registry only when `compressed()` is.
   *
   * @param client A client for the repository that holds the layer.
   * @param descriptor The layer's descriptor, from the manifest.
   * @param diffID The layer's DiffID, from the config.
   */
  constructor(client: RegistryClient, descriptor: Descriptor, diffID: string) {
    this.#client = client;
    this.descriptor = descriptor;
    this.#diffID = diffID;
    this.mountFrom = { registry: client.reference.registry, repository: client.reference.repository };
  }

  /** The descriptor, known from the manifest without fetching the blob. */
  knownDescriptor(): Promise<Descriptor> {
    return Promise.resolve(this.descriptor);
  }

  digest(): Promise<string> {
    return Promise.resolve(this.descriptor.digest);
  }

  diffID(): Promise<string> {
    return Promise.resolve(this.#diffID);
  }

  size(): Promise<number> {
    return Promise.resolve(this.descriptor.size);
  }

  mediaType(): string {
    return this.descriptor.mediaType;
  }

  computed(): LayerValues {
    return { digest: this.descriptor.digest, diffID: this.#diffID, size: this.descriptor.size };
  }

  /**
   * The blob, fetched from the registry as it is read, and checked against the
   * descriptor as it streams: a body longer than its size is cut at the
   * first extra byte, and the stream errors ({@link SizeMismatchError},
   * {@link DigestMismatchError}) where it would have closed on wrong bytes, as
   * go-containerregistry's `Compressed()` does. Each call makes a new request.
   */
  compressed(): ReadableStream<Uint8Array> {
    const client = this.#client;
    const { digest, size } = this.descriptor;
    return lazyStream(() => client.getBlob(digest, size));
  }

  /**
   * The layer's tar: the blob decompressed as it is read (gzip, one member or
   * many, with nothing after the last, as Go reads it; zstd, one frame or many,
   * by zstd's own decoder in WebAssembly; an uncompressed tar as it is), checked against the blob's digest and size
   * and against the DiffID of the image's config, as go-containerregistry's
   * `Uncompressed()` does. Memory stays flat: nothing is read ahead of the consumer.
   *
   * @throws {UncompressedUnavailableError} when the media type has no decompressor here (the stream errors with it).
   * The stream errors with {@link DigestMismatchError} or {@link SizeMismatchError} when the blob or
   * the tar is not what the descriptor and the config name, and with {@link InvalidLayerSourceError}
   * when the right blob cannot be decompressed.
   *
   * @example Listing the files of a pulled layer
   * ```ts
   * import assert from "node:assert/strict";
   * import { pullImage } from "streamlayer";
   * import { RemoteLayer } from "streamlayer/registry";
   *
   * const [layer] = (await pullImage("127.0.0.1:5000/alpine:3")).layers();
   * assert.ok(layer instanceof RemoteLayer);
   * const tar = new Uint8Array(await new Response(layer.uncompressed()).arrayBuffer());
   * assert.equal(tar.length % 512, 0); // a tar, checked against the config's DiffID on the way
   * ```
   */
  uncompressed(): ReadableStream<Uint8Array> {
    const { digest, mediaType } = this.descriptor;
    const where = `layer ${digest} of ${this.mountFrom.registry}/${this.mountFrom.repository}`;
    return lazyStream(async () => {
      return decodedLayer({ compressed: this.compressed(), decompressor: decompressorFor(mediaType), compression: compressionOf(mediaType), diffID: this.#diffID, where });
    });
  }
}

/** A stream whose source is made when it is first read, and cancelled with it. */
function lazyStream(open: () => Promise<ReadableStream<Uint8Array>>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= (await open()).getReader();
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
