import { createHash } from "node:crypto";
import type { Layer, LayerValues } from "../layer/layer.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { UnsupportedImageError } from "../image/errors.ts";
import { layoutBlobPath, verifiedBlobStream } from "./_verified_file.ts";

/**
 * A layer stored in an OCI layout, known by its manifest's descriptor and its
 * config's DiffID. Its bytes are read from the blob file only when asked,
 * each time anew, and checked as they stream: `compressed()` against the
 * digest and size, `uncompressed()` against the DiffID.
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
   * The tar: the blob gunzipped as it streams (or as it is, for an
   * uncompressed layer), checked against the DiffID before the stream ends.
   *
   * @throws {UnsupportedImageError} for a compression other than gzip.
   */
  uncompressed(): ReadableStream<Uint8Array> {
    const mediaType = this.descriptor.mediaType;
    const where = `uncompressed ${layoutBlobPath(this.#directory, this.descriptor.digest)}`;
    if (/(\+|\.tar\.)gzip$/.test(mediaType)) {
      const gunzip = new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
      return this.compressed().pipeThrough(gunzip).pipeThrough(checkedSha256(this.#diffID, where));
    }
    if (/(\.|\/)tar$/.test(mediaType)) return this.compressed().pipeThrough(checkedSha256(this.#diffID, where));
    throw new UnsupportedImageError(where, `cannot decompress a layer of media type ${mediaType}`);
  }
}

function checkedSha256(expected: string, where: string): TransformStream<Uint8Array, Uint8Array> {
  const hash = createHash("sha256");
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      const actual = `sha256:${hash.digest("hex")}`;
      if (actual !== expected) throw new DigestMismatchError(expected, actual, where);
    },
  });
}
