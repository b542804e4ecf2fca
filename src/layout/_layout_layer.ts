import type { Layer, LayerValues } from "../layer/layer.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { decodedLayer } from "../registry/_decoded_layer.ts";
import { compressionOf, decompressorFor } from "../registry/_decompressors.ts";
import { layoutBlobPath, verifiedBlobStream } from "./_verified_file.ts";

/**
 * A layer stored in an OCI layout, known by its manifest's descriptor and its
 * config's DiffID. Its bytes are read from the blob file only when asked,
 * each time anew, and checked as they stream: `compressed()` against the
 * digest and size, `uncompressed()` against the DiffID too.
 */
export class LayoutLayer implements Layer {
  readonly descriptor: Descriptor;
  readonly #directory: string;
  readonly #diffID: string;

  constructor(directory: string, descriptor: Descriptor, diffID: string) {
    this.#directory = directory;
    this.descriptor = descriptor;
    this.#diffID = diffID;
  }

  mediaType(): string {
    return this.descriptor.mediaType;
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

  /** The descriptor, known without reading: a writer asks the registry for the blob before uploading it. */
  knownDescriptor(): Promise<Descriptor> {
    return Promise.resolve(this.descriptor);
  }

  computed(): LayerValues {
    return { digest: this.descriptor.digest, diffID: this.#diffID, size: this.descriptor.size };
  }

  /** The blob file, checked against the digest and size as it is read. */
  compressed(): ReadableStream<Uint8Array> {
    return verifiedBlobStream(this.#directory, this.descriptor);
  }

  /**
   * The tar: the blob decompressed as it streams (gzip, one member or many,
   * as Go reads it; zstd, one frame or many, by zstd's decoder in WebAssembly;
   * a plain tar as it is), checked against the DiffID before the stream ends, as a pulled
   * layer's is.
   *
   * @throws {UncompressedUnavailableError} for a media type with no decompressor here.
   */
  uncompressed(): ReadableStream<Uint8Array> {
    const decompressor = decompressorFor(this.descriptor.mediaType);
    const where = `layer ${layoutBlobPath(this.#directory, this.descriptor.digest)}`;
    return decodedLayer({ compressed: this.compressed(), decompressor, compression: compressionOf(this.descriptor.mediaType), diffID: this.#diffID, where });
  }
}
