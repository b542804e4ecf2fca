import { ConsumedError, NotComputedError } from "./errors.ts";
import type { Layer, LayerValues } from "./layer.ts";
import { layerSourceStream, type LayerSource } from "./layer_source.ts";
import { quiet, settlement, type Settlement } from "./_settlement.ts";
import type { CompressedLayerMediaType } from "../oci/media_types.ts";

/** Whom a layer's one-pass pipeline tells of what it read, and of its end. */
export interface PipelineReports {
  readonly onRead: (bytes: number) => void;
  readonly onComputed: (values: LayerValues) => void;
  readonly onFailed: (error: unknown) => void;
}

/**
 * What every read-once streaming layer shares, go-containerregistry's
 * `stream.Layer` semantics: the source is locked at once and read by one
 * `compressed()`; the values settle when that stream ends, or reject when it
 * fails or is cancelled; `computed()` and `bytesRead()` answer without
 * waiting. A subclass says only how its bytes are made ({@link pipeline}).
 */
export abstract class ReadOnceLayer implements Layer {
  readonly #source: ReadableStreamDefaultReader<Uint8Array>;
  readonly #mediaType: CompressedLayerMediaType;
  readonly #values: Settlement<LayerValues> = settlement<LayerValues>();
  readonly #digest = quiet(this.#values.promise.then((values) => values.digest));
  readonly #diffID = quiet(this.#values.promise.then((values) => values.diffID));
  readonly #size = quiet(this.#values.promise.then((values) => values.size));
  #consumed = false;
  #known: LayerValues | undefined;
  #bytesRead = 0;

  /**
   * @param wrapReader What the subclass puts between the source and its pipeline (an input check).
   * @throws {TypeError} when `source` is not a readable stream or is locked.
   */
  protected constructor(
    className: string,
    source: LayerSource,
    mediaType: CompressedLayerMediaType,
    wrapReader: (reader: ReadableStreamDefaultReader<Uint8Array>) => ReadableStreamDefaultReader<Uint8Array> = (reader) => reader,
  ) {
    const readable = layerSourceStream(source);
    if (typeof readable?.getReader !== "function") throw new TypeError(`Cannot create a ${className}: source is not a ReadableStream`);
    if (readable.locked) throw new TypeError(`Cannot create a ${className}: source is locked to another reader`);
    this.#source = wrapReader(readable.getReader());
    this.#mediaType = mediaType;
  }

  /** Makes the layer's compressed bytes from the source, reporting as it goes. */
  protected abstract pipeline(source: ReadableStreamDefaultReader<Uint8Array>, reports: PipelineReports): ReadableStream<Uint8Array>;

  /**
   * The gzip stream of the layer. Read it to its end (by uploading it, say) to
   * compute the values; cancel it to stop, which cancels the source too.
   *
   * @throws {ConsumedError} on a second call: the source can be read only once.
   */
  compressed(): ReadableStream<Uint8Array> {
    if (this.#consumed) throw new ConsumedError();
    this.#consumed = true;
    return this.pipeline(this.#source, {
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

  /** Always fails: the input is read once, into the pipeline, and not kept. */
  abstract uncompressed(): never;

  /**
   * SHA-256 of the compressed bytes, as `sha256:<hex>`. Resolves when the
   * compressed stream has been read to its end; rejects with
   * {@link NotComputedError} if it was cancelled first, with
   * `InvalidLayerSourceError` if the input check refused the source, or with
   * the source's error if the source failed.
   */
  digest(): Promise<string> {
    return this.#digest;
  }

  /** SHA-256 of the uncompressed bytes (the tar), as `sha256:<hex>`. Settles as {@link ReadOnceLayer.digest} does. */
  diffID(): Promise<string> {
    return this.#diffID;
  }

  /** The number of compressed bytes. Settles as {@link ReadOnceLayer.digest} does. */
  size(): Promise<number> {
    return this.#size;
  }

  /**
   * The digest, DiffID and size if they are known now, without waiting: the
   * semantics of go-containerregistry, for code that must not wait.
   *
   * @throws {NotComputedError} until the compressed stream has been read to its end.
   */
  computed(): LayerValues {
    if (!this.#known) throw new NotComputedError();
    return this.#known;
  }

  /**
   * How many bytes have been read from the source so far: for progress
   * reports, since the source's total is not known in advance.
   */
  bytesRead(): number {
    return this.#bytesRead;
  }

  /** The layer's media type. */
  mediaType(): string {
    return this.#mediaType;
  }
}
