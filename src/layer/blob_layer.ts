import { createSha256, sha256Digest } from "../hash/_sha256.ts";
import { isSha256Digest } from "../oci/digest.ts";
import { NotComputedError, UncompressedUnavailableError } from "./errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Layer, LayerValues } from "./layer.ts";
import { OCI_LAYER_GZIP } from "../oci/media_types.ts";

/** Options for {@link blobLayer}. */
export interface BlobLayerOptions {
  /** The media type the blob is stored under. @default "application/vnd.oci.image.layer.v1.tar+gzip" */
  mediaType?: string;
  /**
   * The DiffID (SHA-256 of the uncompressed tar), when known: the bytes are
   * already compressed, so it cannot be computed from them.
   *
   * @default undefined (`diffID()` rejects with NotComputedError)
   */
  diffID?: string;
}

/**
 * A layer made from bytes already compressed, which can be read again and again:
 * its digest is computed from them up front, so a registry can be asked
 * whether it has the blob before anything is uploaded. Made by {@link blobLayer}.
 *
 * @example Values once the digest is computed
 * ```ts
 * import assert from "node:assert/strict";
 * import { blobLayer } from "streamlayer";
 *
 * const layer = blobLayer(new Uint8Array([1, 2, 3]), { diffID: "sha256:" + "0".repeat(64) });
 * await layer.digest();
 * assert.equal(layer.computed().size, 3);
 * ```
 */
export class BlobLayer implements Layer {
  readonly #data: Blob | Uint8Array;
  readonly #mediaType: string;
  readonly #diffID: string | undefined;
  readonly #digest: Promise<string>;
  #known: string | undefined;

  constructor(data: Blob | Uint8Array, options: BlobLayerOptions = {}) {
    if (!(data instanceof Blob) && !(data instanceof Uint8Array)) throw new TypeError("Cannot create a blob layer: data is not a Blob or a Uint8Array");
    if (options.diffID !== undefined && !isSha256Digest(options.diffID)) {
      throw new TypeError(`Invalid diffID: expected sha256:<64 lowercase hex digits>, got ${options.diffID}`);
    }
    this.#data = data;
    this.#mediaType = options.mediaType ?? OCI_LAYER_GZIP;
    this.#diffID = options.diffID;
    this.#digest = this.#hash();
    this.#digest.catch(() => {});
  }

  /** SHA-256 of the bytes, as `sha256:<hex>`. */
  digest(): Promise<string> {
    return this.#digest;
  }

  /** The DiffID given in the options; rejects with {@link NotComputedError} when none was. */
  diffID(): Promise<string> {
    if (this.#diffID === undefined) return Promise.reject(new NotComputedError("No DiffID: a blob layer's DiffID must be given in its options"));
    return Promise.resolve(this.#diffID);
  }

  /** The number of bytes. */
  size(): Promise<number> {
    return Promise.resolve(this.#size());
  }

  /** The blob's descriptor, once its digest is computed: known before the bytes are sent. */
  async knownDescriptor(): Promise<Descriptor> {
    return { mediaType: this.#mediaType, digest: await this.#digest, size: this.#size() };
  }

  /** The media type. */
  mediaType(): string {
    return this.#mediaType;
  }

  /** The bytes, as a new stream on every call. */
  compressed(): ReadableStream<Uint8Array> {
    if (this.#data instanceof Blob) return this.#data.stream();
    const bytes = this.#data;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
  }

  /** Always fails: the bytes are compressed already and not kept uncompressed. */
  uncompressed(): never {
    throw new UncompressedUnavailableError("A blob layer holds compressed bytes only");
  }

  /**
   * The values once the digest has been computed (await `digest()` first).
   *
   * @throws {NotComputedError} while the digest is being computed, or when no DiffID was given.
   */
  computed(): LayerValues {
    if (this.#known === undefined) throw new NotComputedError("Digest not computed yet: await digest() first");
    if (this.#diffID === undefined) throw new NotComputedError("No DiffID: a blob layer's DiffID must be given in its options");
    return { digest: this.#known, diffID: this.#diffID, size: this.#size() };
  }

  #size(): number {
    return this.#data instanceof Blob ? this.#data.size : this.#data.byteLength;
  }

  async #hash(): Promise<string> {
    const sha = await createSha256();
    if (this.#data instanceof Uint8Array) sha.update(this.#data);
    else {
      // A reader, not `for await`: Safari's streams are not async iterable.
      const reader = this.#data.stream().getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) sha.update(read.value);
    }
    this.#known = sha256Digest(await sha.digest());
    return this.#known;
  }
}

/**
 * Wraps compressed bytes (a `Blob`, a `File`, a `Uint8Array`) as a layer whose
 * digest is computed up front from them. `writeLayer` then asks the registry
 * whether it has the blob (HEAD) and skips the upload when it does.
 *
 * @param data The compressed bytes (they must not change afterwards).
 * @param options The media type, and the DiffID if known.
 * @returns The layer.
 * @throws {TypeError} when `data` is neither a Blob nor a Uint8Array, or `diffID` is malformed.
 *
 * @example Push a gzip file that is already on hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { blobLayer, writeLayer } from "streamlayer";
 *
 * const gzip = new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const layer = blobLayer(gzip);
 * assert.equal(await layer.size(), 20);
 * const descriptor = await writeLayer("127.0.0.1:5000/demo", layer);
 * assert.equal(descriptor.digest, await layer.digest());
 * ```
 */
export function blobLayer(data: Blob | Uint8Array, options?: BlobLayerOptions): BlobLayer {
  return new BlobLayer(data, options);
}
