import { ConsumedError, NotComputedError, UncompressedUnavailableError } from "./errors.ts";
import { hashingGunzipStream } from "./_hashing_gunzip_stream.ts";
import type { Layer, LayerValues } from "./layer.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, type GzipLayerMediaType } from "../oci/media_types.ts";
import { layerSourceStream, type LayerSource } from "./layer_source.ts";
import { quiet, settlement, type Settlement } from "./_settlement.ts";

/** Options for {@link CompressedStreamLayer}. */
export interface CompressedStreamLayerOptions {
  /**
   * The media type of the layer.
   *
   * @default "application/vnd.oci.image.layer.v1.tar+gzip"
   */
  mediaType?: GzipLayerMediaType;
  /**
   * Refuse a gzip whose content is not a tar, judged from the first 512-byte
   * block of the decompressed bytes (see `StreamLayerOptions.requireTar`).
   * The source must be gzip either way.
   *
   * @default true
   */
  requireTar?: boolean;
}

/**
 * An image layer made from a read-once stream of a tarball that is already
 * gzip-compressed (a `.tar.gz`, a `.tgz`): its bytes are pushed as they are,
 * the way go-containerregistry's `crane append` takes a `.tar.gz`.
 *
 * `compressed()` hands out the given bytes once. While they are read, the
 * Digest and the Size are computed from them, and the DiffID from decompressing
 * them on the fly (`DecompressionStream`, else fflate) in step with the
 * reading, so no more than a chunk is ever held. The values are known once the
 * stream has been read to its end.
 *
 * Input that is not gzip, a gzip that cannot be decompressed, or a gzip that
 * holds no tar fail the stream and the values with {@link InvalidLayerSourceError}.
 * For an uncompressed tar, use {@link StreamLayer}.
 *
 * @example Push a .tar.gz as it is
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompressedStreamLayer, createTarStream, writeLayer } from "streamlayer";
 *
 * // In Node: Readable.toWeb(createReadStream("layer.tar.gz")); in a browser: file.stream().
 * const tarGz = createTarStream([{ path: "hello.txt", data: "hi\n" }]).pipeThrough(new CompressionStream("gzip"));
 * const layer = new CompressedStreamLayer(tarGz);
 * const descriptor = await writeLayer("127.0.0.1:5000/tgz", layer);
 * assert.equal(descriptor.digest, await layer.digest());
 * assert.match(await layer.diffID(), /^sha256:[0-9a-f]{64}$/); // the sha256 of the tar
 * ```
 */
export class CompressedStreamLayer implements Layer {
  readonly #source: ReadableStreamDefaultReader<Uint8Array>;
  readonly #mediaType: GzipLayerMediaType;
  readonly #requireTar: boolean;
  readonly #values: Settlement<LayerValues>;
  readonly #digest: Promise<string>;
  readonly #diffID: Promise<string>;
  readonly #size: Promise<number>;
  #consumed = false;
  #known: LayerValues | undefined;
  #bytesRead = 0;

  /**
   * @param source The gzip bytes, as a `ReadableStream` or any `AsyncIterable<Uint8Array>`. The layer takes it over: a stream is locked at once.
   * @param options The media type, and whether the content must be a tar.
   * @throws {TypeError} when `source` is not a readable stream or is locked, or the media type is unknown.
   */
  constructor(source: LayerSource, options: CompressedStreamLayerOptions = {}) {
    const readable = layerSourceStream(source);
    const { mediaType = OCI_LAYER_GZIP, requireTar = true } = options;
    if (mediaType !== OCI_LAYER_GZIP && mediaType !== DOCKER_LAYER_GZIP) {
      throw new TypeError(`Invalid mediaType: expected "${OCI_LAYER_GZIP}" or "${DOCKER_LAYER_GZIP}", got ${String(mediaType)}`);
    }
    if (typeof readable?.getReader !== "function") throw new TypeError("Cannot create a CompressedStreamLayer: source is not a ReadableStream");
    if (readable.locked) throw new TypeError("Cannot create a CompressedStreamLayer: source is locked to another reader");
    this.#source = readable.getReader();
    this.#mediaType = mediaType;
    this.#requireTar = requireTar !== false;
    this.#values = settlement<LayerValues>();
    this.#digest = quiet(this.#values.promise.then((values) => values.digest));
    this.#diffID = quiet(this.#values.promise.then((values) => values.diffID));
    this.#size = quiet(this.#values.promise.then((values) => values.size));
  }

  /**
   * The gzip bytes as given. Read it to its end (by uploading it, say) to
   * compute the values; cancel it to stop, which cancels the source too.
   *
   * @throws {ConsumedError} on a second call: the source can be read only once.
   */
  compressed(): ReadableStream<Uint8Array> {
    if (this.#consumed) throw new ConsumedError();
    this.#consumed = true;
    return hashingGunzipStream(this.#source, {
      requireTar: this.#requireTar,
      onRead: (bytes) => {
        this.#bytesRead += bytes;
      },
      onComputed: (values) => {
        this.#known = values;
        this.#values.resolve(values);
      },
      onFailed: (error) => this.#values.reject(error),
    });
  }

  /**
   * Always fails: the decompressed bytes are hashed and dropped, not kept.
   *
   * @throws {UncompressedUnavailableError} always.
   */
  uncompressed(): never {
    throw new UncompressedUnavailableError("A compressed streaming layer has no uncompressed form: its bytes are decompressed once, to hash them");
  }

  /**
   * SHA-256 of the given gzip bytes, as `sha256:<hex>`. Resolves when the
   * compressed stream has been read to its end; rejects with
   * {@link NotComputedError} if it was cancelled first, with
   * {@link InvalidLayerSourceError} if the bytes are not a gzip of a tar, or
   * with the source's error if the source failed.
   */
  digest(): Promise<string> {
    return this.#digest;
  }

  /** SHA-256 of the decompressed bytes (the tar), as `sha256:<hex>`. Settles as {@link CompressedStreamLayer.digest} does. */
  diffID(): Promise<string> {
    return this.#diffID;
  }

  /** The number of gzip bytes. Settles as {@link CompressedStreamLayer.digest} does. */
  size(): Promise<number> {
    return this.#size;
  }

  /**
   * The digest, DiffID and size if they are known now, without waiting.
   *
   * @throws {NotComputedError} until the compressed stream has been read to its end.
   */
  computed(): LayerValues {
    if (!this.#known) throw new NotComputedError();
    return this.#known;
  }

  /** How many gzip bytes have been read from the source so far: for progress reports. */
  bytesRead(): number {
    return this.#bytesRead;
  }

  /** The layer's media type. */
  mediaType(): string {
    return this.#mediaType;
  }
}
