import { isCompressionLevel, isCompressorChoice, type CompressionLevel, type CompressorOption } from "../compress/compressor.ts";
import { hasCompressionStream } from "../compress/_create_compressor.ts";
import { UncompressedUnavailableError, type InvalidLayerSourceError } from "./errors.ts";
import { hashingGzipStream } from "./_hashing_gzip_stream.ts";
import { tarCheckedReader } from "./_tar_checked_reader.ts";
import type { LayerSource } from "./layer_source.ts";
import { ReadOnceLayer, type PipelineReports } from "./_read_once_layer.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, type GzipLayerMediaType } from "../oci/media_types.ts";

/** Options for {@link StreamLayer}. */
export interface StreamLayerOptions {
  /**
   * The gzip level, 0 to 9. `CompressionStream` has no level, so asking for
   * one selects the native zlib where the runtime has one (Node, Deno), else fflate.
   *
   * @default undefined (the compressor's default, which is 6 for all three)
   */
  compressionLevel?: CompressionLevel;
  /**
   * The media type of the layer.
   *
   * @default "application/vnd.oci.image.layer.v1.tar+gzip"
   */
  mediaType?: GzipLayerMediaType;
  /**
   * Which gzip implementation to use. `auto` takes `parallel-zlib` in Node with
   * more than one core (1 MiB blocks compressed on zlib's thread pool), else
   * `CompressionStream` where it exists and passes backpressure on (browsers,
   * Deno; not Node, where zlib is taken, nor Workers, where fflate is), the
   * native zlib or fflate when a level is asked for, and fflate where nothing
   * else is available. A function is a compressor of one's own: called with
   * `compressionLevel` for each layer, it returns a fresh `Compressor` (a
   * readable/writable pair, such as a `TransformStream`) that writes gzip.
   *
   * @default "auto"
   */
  compressor?: CompressorOption;
  /**
   * Make the compressed bytes, and so the digest, depend only on the tarball
   * and `compressionLevel`: the same in Chromium, Deno, Workers and Node, on
   * any host, however the source is chunked. Uses the block format of
   * `parallel-zlib` (1 MiB blocks, no time in the header) with pako, zlib in
   * JavaScript, one block at a time (level 6 unless `compressionLevel` says
   * otherwise); slower than the native compressors. Without it the digest may
   * differ between runtimes; the DiffID never does. `compressor` must then be
   * `"auto"` (or `"fflate"`, accepted as before).
   *
   * @default false
   */
  deterministic?: boolean;
  /**
   * How many 1 MiB blocks `parallel-zlib` (what `auto` is in Node with more
   * than one core) compresses at once: its parallelism, and the bound on its
   * memory (about 2 MiB a block). The bytes do not depend on it. Node's thread
   * pool has 4 threads unless `UV_THREADPOOL_SIZE` says otherwise.
   *
   * @default the cores available + 2, at most 4
   */
  blocksInFlight?: number;
  /**
   * Refuse a source that is not a tar, judged from its first 512-byte block
   * as it passes (nothing is read ahead): gzip or zstd data, bytes whose
   * first block is neither a tar header (by its checksum) nor zeros, and an
   * image tarball (an OCI layout, whose first entry is `oci-layout` or under
   * `blobs/`). The compressed stream and the three values then fail with
   * {@link InvalidLayerSourceError}, and the source is cancelled. An empty
   * source is an empty layer. `false` takes any bytes as they are.
   *
   * @default true
   */
  requireTar?: boolean;
}

/**
 * An image layer made from a read-once stream of an uncompressed tarball: the
 * counterpart of go-containerregistry's `stream.Layer`.
 *
 * `compressed()` hands out the gzip stream once. The source is read only as
 * that stream is read, and never held whole. While it is read, the DiffID
 * (SHA-256 of the tar), the Digest (SHA-256 of the gzip) and the Size are
 * computed; they are known once the compressed stream has been read to its end.
 * Input that is not a tar (a `.tar.gz`, say) is refused from its first block:
 * see {@link StreamLayerOptions.requireTar}, and {@link CompressedStreamLayer}
 * for a layer that is already compressed.
 *
 * @example Compress a tarball and learn its digests
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer } from "streamlayer";
 *
 * const tarball = new Blob([new Uint8Array(1024)]); // two empty tar blocks
 * const layer = new StreamLayer(tarball.stream());
 * const gzip = await new Response(layer.compressed()).arrayBuffer(); // or upload it
 * assert.equal(await layer.diffID(), "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
 * assert.match(await layer.digest(), /^sha256:[0-9a-f]{64}$/);
 * assert.equal(await layer.size(), gzip.byteLength);
 * ```
 */
export class StreamLayer extends ReadOnceLayer {
  readonly #level: CompressionLevel | undefined;
  readonly #compressor: CompressorOption;
  readonly #deterministic: boolean;
  readonly #blocksInFlight: number | undefined;

  /**
   * Takes over a read-once source of an uncompressed tar; nothing is read until `compressed()` is.
   *
   * @param source The uncompressed tarball, as a `ReadableStream` or any `AsyncIterable<Uint8Array>`. The layer takes it over: a stream is locked at once.
   * @param options How to compress, and the media type.
   * @throws {TypeError} when `source` is not a readable stream or is locked, or an option is unknown.
   * @throws {RangeError} when `compressionLevel` is not an integer from 0 to 9, or `blocksInFlight` not a positive integer.
   */
  constructor(source: LayerSource, options: StreamLayerOptions = {}) {
    const { compressionLevel, mediaType = OCI_LAYER_GZIP, compressor = "auto", deterministic = false, requireTar = true, blocksInFlight } = options;
    validateOptions(compressionLevel, mediaType, compressor);
    if (blocksInFlight !== undefined && (!Number.isInteger(blocksInFlight) || blocksInFlight < 1)) {
      throw new RangeError(`Invalid blocksInFlight: expected a positive integer, got ${String(blocksInFlight)}`);
    }
    if (deterministic && compressor !== "auto" && compressor !== "fflate") {
      throw new TypeError(`Invalid options: deterministic layers have a compressor of their own, got compressor "${compressor}"`);
    }
    super("StreamLayer", source, mediaType, requireTar === false ? undefined : tarCheckedReader);
    this.#level = compressionLevel;
    this.#compressor = compressor;
    this.#deterministic = deterministic === true;
    this.#blocksInFlight = blocksInFlight;
  }

  /** The gzip (or zstd) of the tar read from `source`, hashing both sides on the way; called once, by `compressed()`. */
  protected pipeline(source: ReadableStreamDefaultReader<Uint8Array>, reports: PipelineReports): ReadableStream<Uint8Array> {
    return hashingGzipStream(source, {
      compressor: this.#compressor,
      level: this.#level,
      deterministic: this.#deterministic,
      ...(this.#blocksInFlight === undefined ? {} : { blocksInFlight: this.#blocksInFlight }),
      ...reports,
    });
  }

  /**
   * Always fails: the input goes straight into the compressor and is not kept.
   *
   * @throws {UncompressedUnavailableError} always.
   */
  uncompressed(): never {
    throw new UncompressedUnavailableError();
  }
}

function validateOptions(level: unknown, mediaType: unknown, compressor: unknown): void {
  if (level !== undefined && !isCompressionLevel(level)) {
    throw new RangeError(`Invalid compressionLevel: expected an integer from 0 to 9, got ${String(level)}`);
  }
  if (mediaType !== OCI_LAYER_GZIP && mediaType !== DOCKER_LAYER_GZIP) {
    throw new TypeError(`Invalid mediaType: expected "${OCI_LAYER_GZIP}" or "${DOCKER_LAYER_GZIP}", got ${String(mediaType)}`);
  }
  if (typeof compressor !== "function" && !isCompressorChoice(compressor)) {
    throw new TypeError(`Invalid compressor: expected "auto", "compression-stream", "zlib", "parallel-zlib", "fflate" or a function, got ${String(compressor)}`);
  }
  if (compressor === "compression-stream" && level !== undefined) {
    throw new TypeError("Invalid options: CompressionStream has no compression level; choose \"zlib\" or \"fflate\", or leave compressor as \"auto\"");
  }
  if (compressor === "compression-stream" && !hasCompressionStream()) {
    throw new TypeError("Invalid compressor: CompressionStream is not available in this runtime");
  }
}
