import { isCompressionLevel, isCompressorChoice, type CompressionLevel, type CompressorOption } from "../compress/compressor.ts";
import { hasCompressionStream } from "../compress/_create_compressor.ts";
import { UncompressedUnavailableError, type InvalidLayerSourceError } from "./errors.ts";
import { hashingGzipStream } from "./_hashing_gzip_stream.ts";
import { tarCheckedReader } from "./_tar_checked_reader.ts";
import type { LayerSource } from "./layer_source.ts";
import { ReadOnceLayer, type PipelineReports } from "./_read_once_layer.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, type CompressedLayerMediaType } from "../oci/media_types.ts";
import { zstdCompressor } from "../compress/zstd/_zstd_compressor.ts";
import { isZstdLevel, ZSTD_DEFAULT_LEVEL, ZSTD_MAX_LEVEL, ZSTD_MIN_LEVEL } from "../compress/zstd/zstd_level.ts";

/** The compressions a {@link StreamLayer} can write. */
export type LayerCompression = "gzip" | "zstd";

/**
 * Options for {@link StreamLayer}: what to write (`compression`, `level`,
 * `deterministic`), how (`compressor`, `parallelism`), and the input check.
 *
 * @example A zstd layer at zstd's level 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { OCI_LAYER_ZSTD, StreamLayer } from "streamlayer";
 *
 * const layer = new StreamLayer(new Blob([new Uint8Array(1024)]).stream(), { compression: "zstd" });
 * const zstd = new Uint8Array(await new Response(layer.compressed()).arrayBuffer());
 * assert.deepEqual([...zstd.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]); // zstd's magic number
 * assert.equal(layer.mediaType(), OCI_LAYER_ZSTD);
 * assert.equal(await layer.diffID(), "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
 * ```
 */
export interface StreamLayerOptions {
  /**
   * The compression of the layer: `"gzip"`, which every puller reads, or
   * `"zstd"` (`application/vnd.oci.image.layer.v1.tar+zstd`), faster to write
   * and smaller, read by containerd 1.5+ and Docker 23+ but listable in OCI
   * manifests only (see docs/zstd.md). A zstd layer is cut into 2 MiB
   * blocks, each an independent frame (compressed several at once where
   * there are threads); its bytes, and so its digest, are the same in every
   * runtime, however the source is chunked and however many threads run.
   *
   * @default "gzip"
   */
  compression?: LayerCompression;
  /**
   * The compression level: for gzip an integer from 0 (stored) to 9
   * (smallest), for zstd from -131072 (fastest) to 22 (smallest), 0 standing
   * for zstd's default. `CompressionStream` has no level, so asking for a
   * gzip level selects the native zlib where the runtime has one (Node,
   * Deno), else fflate.
   *
   * @default the compressor's own: 6 for gzip, 3 for zstd
   */
  level?: number;
  /**
   * gzip only: make the compressed bytes, and so the digest, depend only on
   * the tarball and `level`: the same in Chromium, Deno, Workers and Node, on
   * any host, however the source is chunked. Uses the block format of
   * `parallel-zlib` (1 MiB blocks, no time in the header) with pako, zlib in
   * JavaScript, one block at a time (level 6 unless `level` says otherwise);
   * slower than the native compressors. Without it the digest may differ
   * between runtimes; the DiffID never does. `compressor` must then be
   * `"auto"` (or `"fflate"`, accepted as before). zstd layers are always
   * deterministic.
   *
   * @default false
   */
  deterministic?: boolean;
  /**
   * Which implementation compresses. For gzip, a name: `auto` takes
   * `parallel-zlib` in Node with more than one core (1 MiB blocks compressed
   * on zlib's thread pool), else `CompressionStream` where it exists and
   * passes backpressure on (browsers, Deno; not Node, where zlib is taken, nor
   * Workers, where fflate is), the native zlib or fflate when a level is asked
   * for, and fflate where nothing else is available. For zstd only `auto`
   * (zstd's own encoder, in WebAssembly, on worker threads in Node). For everything else, a function: a
   * compressor of one's own, called with `level` for each layer, returning a
   * fresh `Compressor` (a readable/writable pair, such as a `TransformStream`)
   * that writes the layer's `compression`.
   *
   * @default "auto"
   */
  compressor?: CompressorOption;
  /**
   * How many blocks compress at once. For gzip, the 1 MiB blocks of
   * `parallel-zlib` and `parallel-pako` (about 2 MiB of memory a block;
   * Node's thread pool has 4 threads unless `UV_THREADPOOL_SIZE` says
   * otherwise). For zstd, the worker threads in Node (2 MiB blocks; 1 keeps
   * to this thread). The bytes do not depend on it.
   *
   * @default for gzip the cores available + 2, at most 4; for zstd the cores, at most 4
   */
  parallelism?: number;
  /**
   * The media type of the layer: for gzip, OCI's or Docker's; for zstd, OCI's
   * (Docker's format has none).
   *
   * @default "application/vnd.oci.image.layer.v1.tar+gzip", or "application/vnd.oci.image.layer.v1.tar+zstd" for zstd
   */
  mediaType?: CompressedLayerMediaType;
  /**
   * Refuse a source that is not a tar, judged from its first entry as it
   * passes (nothing is read ahead; at most the first 64 KiB are looked at):
   * gzip or zstd data, bytes whose first block is not a tar header (by its
   * checksum), zeros followed by data, and an image tarball (an OCI layout or
   * a `docker save` tarball, in any entry order). The compressed stream and
   * the three values then fail with {@link InvalidLayerSourceError}, and the
   * source is cancelled. An empty
   * source is an empty layer. `false` takes any bytes as they are.
   *
   * @default true
   */
  requireTar?: boolean;
  /**
   * The gzip level.
   *
   * @deprecated Accepted until 1.0: use `level`, which it stands for.
   */
  compressionLevel?: CompressionLevel;
  /**
   * How many blocks compress at once.
   *
   * @deprecated Accepted until 1.0: use `parallelism`, which it stands for.
   */
  blocksInFlight?: number;
}

/**
 * An image layer made from a read-once stream of an uncompressed tarball: the
 * counterpart of go-containerregistry's `stream.Layer`.
 *
 * `compressed()` hands out the compressed stream (gzip, or zstd when asked
 * for) once. The source is read only as
 * that stream is read, and never held whole. While it is read, the DiffID
 * (SHA-256 of the tar), the Digest (SHA-256 of the compressed bytes) and the Size are
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
  readonly #settings: LayerSettings;

  /**
   * Takes over a read-once source of an uncompressed tar; nothing is read until `compressed()` is.
   *
   * @param source The uncompressed tarball, as a `ReadableStream` or any `AsyncIterable<Uint8Array>`. The layer takes it over: a stream is locked at once.
   * @param options How to compress, and the media type.
   * @throws {TypeError} when `source` is not a readable stream or is locked, an option is unknown, or options contradict each other.
   * @throws {RangeError} when `level` is outside the compression's range, or `parallelism` is not a positive integer.
   */
  constructor(source: LayerSource, options: StreamLayerOptions = {}) {
    const settings = layerSettings(options);
    super("StreamLayer", source, settings.mediaType, options.requireTar === false ? undefined : tarCheckedReader);
    this.#settings = settings;
  }

  /**
   * The gzip (or zstd) of the tar read from `source`, hashing both sides on the way; called once, by `compressed()`.
   * The read-once base's hook, not for use outside it.
   *
   * @ignore
   */
  protected pipeline(source: ReadableStreamDefaultReader<Uint8Array>, reports: PipelineReports): ReadableStream<Uint8Array> {
    const { compression, level, compressor, deterministic, parallelism } = this.#settings;
    if (compression === "zstd") {
      const zstdLevel = level ?? ZSTD_DEFAULT_LEVEL;
      const zstd = typeof compressor === "function" ? () => compressor(level as CompressionLevel | undefined) : () => zstdCompressor(zstdLevel, parallelism);
      return hashingGzipStream(source, { compressor: zstd, level: undefined, ...reports });
    }
    return hashingGzipStream(source, {
      compressor,
      level: level as CompressionLevel | undefined,
      deterministic,
      ...(parallelism === undefined ? {} : { blocksInFlight: parallelism }),
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

/** The options of a layer, checked against each other, the old spellings folded in. */
interface LayerSettings {
  readonly compression: LayerCompression;
  readonly level: number | undefined;
  readonly compressor: CompressorOption;
  readonly deterministic: boolean;
  readonly parallelism: number | undefined;
  readonly mediaType: CompressedLayerMediaType;
}

function layerSettings(options: StreamLayerOptions): LayerSettings {
  const { compression = "gzip", compressor = "auto", deterministic = false } = options;
  if (compression !== "gzip" && compression !== "zstd") {
    throw new TypeError(`Invalid compression: expected "gzip" or "zstd", got ${String(compression)}`);
  }
  const level = oneOf("level", options.level, "compressionLevel", options.compressionLevel);
  const parallelism = oneOf("parallelism", options.parallelism, "blocksInFlight", options.blocksInFlight);
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1)) {
    const name = options.parallelism === undefined ? "blocksInFlight" : "parallelism";
    throw new RangeError(`Invalid ${name}: expected a positive integer, got ${String(parallelism)}`);
  }
  const mediaType = options.mediaType ?? (compression === "zstd" ? OCI_LAYER_ZSTD : OCI_LAYER_GZIP);
  if (compression === "zstd") validateZstd(level, mediaType, compressor, deterministic);
  else validateGzip(level, mediaType, compressor, deterministic);
  return { compression, level, compressor, deterministic: deterministic === true, parallelism, mediaType };
}

/** A new option and its old spelling: either, not both. */
function oneOf<T>(name: string, value: T | undefined, oldName: string, oldValue: T | undefined): T | undefined {
  if (value !== undefined && oldValue !== undefined) {
    throw new TypeError(`Invalid options: ${oldName} is the old spelling of ${name}; give one of them`);
  }
  return value ?? oldValue;
}

function validateZstd(level: unknown, mediaType: unknown, compressor: unknown, deterministic: unknown): void {
  if (level !== undefined && !isZstdLevel(level)) {
    throw new RangeError(`Invalid level: expected an integer from ${ZSTD_MIN_LEVEL} to ${ZSTD_MAX_LEVEL} for zstd, got ${String(level)}`);
  }
  if (mediaType !== OCI_LAYER_ZSTD) {
    throw new TypeError(`Invalid mediaType: a zstd layer is "${OCI_LAYER_ZSTD}" (Docker's format has no zstd layers), got ${String(mediaType)}`);
  }
  if (compressor !== "auto" && typeof compressor !== "function") {
    throw new TypeError(`Invalid compressor: ${String(compressor)} writes gzip; a zstd layer takes "auto" or a function`);
  }
  if (deterministic !== false && deterministic !== true) throw new TypeError("Invalid deterministic: expected a boolean");
}

function validateGzip(level: unknown, mediaType: unknown, compressor: unknown, deterministic: unknown): void {
  if (level !== undefined && !isCompressionLevel(level)) {
    throw new RangeError(`Invalid level: expected an integer from 0 to 9 for gzip, got ${String(level)}`);
  }
  if (mediaType !== OCI_LAYER_GZIP && mediaType !== DOCKER_LAYER_GZIP) {
    throw new TypeError(`Invalid mediaType: expected "${OCI_LAYER_GZIP}" or "${DOCKER_LAYER_GZIP}" for gzip, got ${String(mediaType)}`);
  }
  if (typeof compressor !== "function" && !isCompressorChoice(compressor)) {
    throw new TypeError(`Invalid compressor: expected "auto", "compression-stream", "zlib", "parallel-zlib", "parallel-pako", "fflate" or a function, got ${String(compressor)}`);
  }
  if (deterministic && compressor !== "auto" && compressor !== "fflate") {
    throw new TypeError(`Invalid options: deterministic layers have a compressor of their own, got compressor "${String(compressor)}"`);
  }
  if (compressor === "compression-stream" && level !== undefined) {
    throw new TypeError("Invalid options: CompressionStream has no compression level; choose \"zlib\" or \"fflate\", or leave compressor as \"auto\"");
  }
  if (compressor === "compression-stream" && !hasCompressionStream()) {
    throw new TypeError("Invalid compressor: CompressionStream is not available in this runtime");
  }
}
