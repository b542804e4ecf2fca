import { UncompressedUnavailableError } from "./errors.ts";
import { hashingGunzipStream } from "./_hashing_gunzip_stream.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, type CompressedLayerMediaType } from "../oci/media_types.ts";
import type { LayerSource } from "./layer_source.ts";
import { ReadOnceLayer, type PipelineReports } from "./_read_once_layer.ts";

/** Options for {@link CompressedStreamLayer}. */
export interface CompressedStreamLayerOptions {
  /**
   * The compression the source is in: `"gzip"` (a `.tar.gz`) or `"zstd"` (a
   * `.tar.zst`, pushed as OCI's `tar+zstd`). Bytes in the other one are
   * refused with {@link InvalidLayerSourceError}, whose message says so.
   *
   * @default "gzip", or "zstd" when `mediaType` is OCI's tar+zstd
   */
  compression?: "gzip" | "zstd";
  /**
   * The media type of the layer: OCI's or Docker's gzip type for gzip, OCI's
   * zstd type for zstd.
   *
   * @default "application/vnd.oci.image.layer.v1.tar+gzip", or "application/vnd.oci.image.layer.v1.tar+zstd" for zstd
   */
  mediaType?: CompressedLayerMediaType;
  /**
   * Refuse a gzip whose content is not a tar, judged from the first entry
   * of the decompressed bytes (see `StreamLayerOptions.requireTar`).
   * The source must be gzip either way.
   *
   * @default true
   */
  requireTar?: boolean;
}

/**
 * An image layer made from a read-once stream of a tarball that is already
 * compressed (a `.tar.gz`, a `.tgz`; a `.tar.zst` with `compression: "zstd"`): its bytes are pushed as they are,
 * the way go-containerregistry's `crane append` takes a `.tar.gz`.
 *
 * `compressed()` hands out the given bytes once. While they are read, the
 * Digest and the Size are computed from them, and the DiffID from decompressing
 * them on the fly (Node's zlib in Node, pako's inflate elsewhere; zstd's own decoder in WebAssembly for zstd) in step with the
 * reading, so no more than a chunk is ever held. The values are known once the
 * stream has been read to its end.
 *
 * A gzip is taken as Go's gzip reader (containerd's, Docker's) takes it, the
 * same in every runtime: one member or several (`cat a.gz b.gz`), each checked
 * against its CRC-32 and length, and nothing after the last member.
 *
 * Input that is not gzip, a gzip that cannot be decompressed, a gzip followed by
 * other bytes (zero padding too: `found` is `"trailing-bytes"`), or a gzip that
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
 *
 * @example Push a .tar.zst as it is
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompressedStreamLayer, OCI_LAYER_ZSTD, StreamLayer } from "streamlayer";
 *
 * // A .tar.zst, here made by StreamLayer; in Node: Readable.toWeb(createReadStream("layer.tar.zst")).
 * const made = new StreamLayer(new Blob([new Uint8Array(1024)]).stream(), { compression: "zstd" });
 * const tarZst = new Uint8Array(await new Response(made.compressed()).arrayBuffer());
 * const layer = new CompressedStreamLayer(new Blob([tarZst]).stream(), { compression: "zstd" });
 * await new Response(layer.compressed()).arrayBuffer(); // or writeLayer(repository, layer)
 * assert.equal(layer.mediaType(), OCI_LAYER_ZSTD);
 * assert.equal(await layer.digest(), await made.digest());
 * assert.equal(await layer.diffID(), await made.diffID());
 * ```
 */
export class CompressedStreamLayer extends ReadOnceLayer {
  readonly #requireTar: boolean;
  readonly #compression: "gzip" | "zstd";

  /**
   * Takes over a read-once source of a `.tar.gz`; nothing is read until `compressed()` is.
   *
   * @param source The gzip bytes, as a `ReadableStream` or any `AsyncIterable<Uint8Array>`. The layer takes it over: a stream is locked at once.
   * @param options The media type, and whether the content must be a tar.
   * @throws {TypeError} when `source` is not a readable stream or is locked, or the media type is unknown.
   */
  constructor(source: LayerSource, options: CompressedStreamLayerOptions = {}) {
    const { requireTar = true } = options;
    const compression = options.compression ?? (options.mediaType === OCI_LAYER_ZSTD ? "zstd" : "gzip");
    const mediaType = options.mediaType ?? (compression === "zstd" ? OCI_LAYER_ZSTD : OCI_LAYER_GZIP);
    if (compression === "gzip" && mediaType !== OCI_LAYER_GZIP && mediaType !== DOCKER_LAYER_GZIP) {
      throw new TypeError(`Invalid mediaType: expected "${OCI_LAYER_GZIP}" or "${DOCKER_LAYER_GZIP}" for gzip, got ${String(mediaType)}`);
    }
    if (compression === "zstd" && mediaType !== OCI_LAYER_ZSTD) {
      throw new TypeError(`Invalid mediaType: a zstd layer is "${OCI_LAYER_ZSTD}" (Docker's format has no zstd layers), got ${String(mediaType)}`);
    }
    if (compression !== "gzip" && compression !== "zstd") throw new TypeError(`Invalid compression: expected "gzip" or "zstd", got ${String(compression)}`);
    super("CompressedStreamLayer", source, mediaType);
    this.#requireTar = requireTar !== false;
    this.#compression = compression;
  }

  /**
   * The gzip bytes as given, hashed and decompressed (to hash the tar) on their way.
   * The read-once base's hook, not for use outside it.
   *
   * @ignore
   */
  protected pipeline(source: ReadableStreamDefaultReader<Uint8Array>, reports: PipelineReports): ReadableStream<Uint8Array> {
    return hashingGunzipStream(source, { requireTar: this.#requireTar, compression: this.#compression, ...reports });
  }

  /**
   * Always fails: the decompressed bytes are hashed and dropped, not kept.
   *
   * @throws {UncompressedUnavailableError} always.
   */
  uncompressed(): never {
    throw new UncompressedUnavailableError("A compressed streaming layer has no uncompressed form: its bytes are decompressed once, to hash them");
  }
}
