import type { CompressorChoice } from "../compress/compressor.ts";
import type { StreamLayerOptions } from "../layer/stream_layer.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Credentials } from "../registry/credentials.ts";
import type { UploadMode } from "../registry/upload_layer.ts";
import { runPush, type PushRequest } from "./_push.ts";
import { pushThroughWorker } from "./_push_through_worker.ts";
import { startPushWorker } from "./_start_push_worker.ts";
import { WorkerUnavailableError } from "./errors.ts";

/**
 * How the layer is made: {@link StreamLayerOptions} as data, the compressor
 * by name only (a function cannot be posted to a worker). For a `.tar.gz`
 * source only `mediaType` and `requireTar` apply: its bytes go as they are.
 */
export type WorkerLayerOptions = Omit<StreamLayerOptions, "compressor"> & {
  /** The compressor by name. @default "auto" (in a browser's worker, its `CompressionStream`) */
  readonly compressor?: CompressorChoice;
};

/** Where {@link pushInWorker} runs the push, as asked. */
export type PushThreadOption = "auto" | "worker" | "this-thread";

/** Where the push ran. */
export type PushThread = "worker" | "this-thread";

/** Options of {@link pushInWorker}: the layer's, the push's (data only), and the call's own. */
export interface PushInWorkerOptions {
  /**
   * An image to build on, such as `127.0.0.1:5000/base:1`: its layers come
   * first (mounted when on the same registry, else copied blob to blob), and
   * its config is kept.
   * @default undefined (an empty image)
   */
  readonly base?: string;
  /** How the layer is made. @default {} */
  readonly layer?: WorkerLayerOptions;
  /**
   * The credentials for the registry pushed to (plain data: `{ username, password }`,
   * `{ token }` or `{ identityToken }`); they also serve a `base` on that same registry.
   * @default undefined (anonymous)
   */
  readonly auth?: Credentials;
  /** The credentials for a `base` on another registry. @default undefined (anonymous) */
  readonly baseAuth?: Credentials;
  /**
   * `"chunked"` PATCHes (retried one by one) or one `"stream"`ed PATCH (needs
   * a runtime that streams request bodies; Chromium does only over HTTP/2).
   * @default "chunked"
   */
  readonly upload?: UploadMode;
  /** Bytes per PATCH in chunked mode. @default 4 MiB on ghcr.io, else 8 MiB */
  readonly chunkSize?: number;
  /** Milliseconds without progress before a request fails with `TimeoutError`; `false` waits for ever. @default 60_000 */
  readonly timeout?: number | false;
  /** Allow plain HTTP to a host other than localhost and loopback. @default false */
  readonly insecure?: boolean;
  /**
   * Ends the push: the worker's push is aborted (which deletes the upload
   * session), the worker is terminated once that is done (or after at most
   * 10 s), and the promise rejects with the signal's reason; unless the push
   * had already written its manifest, in which case it resolves as usual.
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Called with the push's progress, at most every 100 ms while the layer is
   * uploaded and once per later phase; `"done"` comes only once the manifest
   * is written. A callback that throws is ignored.
   * @default undefined
   */
  readonly onProgress?: (progress: PushProgress) => void;
  /**
   * `"auto"` runs the push in a module Web Worker where one can be made, and
   * on this thread where none can (no `Worker`, a Content-Security-Policy
   * that refuses it, a worker file that does not load, or does not load
   * within 15 s); `"worker"` fails
   * with {@link WorkerUnavailableError} instead; `"this-thread"` never makes one.
   * @default "auto"
   */
  readonly thread?: PushThreadOption;
}

/**
 * Where a push stands. Byte counts are of the pushed layer.
 *
 * @example A progress bar that shows 100% only once the manifest is written
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushInWorker, type PushProgress } from "streamlayer/worker";
 *
 * // Reading a File is most of the work; the config and manifest are short steps at the end.
 * const percent = (p: PushProgress) =>
 *   p.phase === "done" ? 100 : Math.min(99, Math.floor((100 * (p.read ?? 0)) / (p.sourceSize ?? Number.POSITIVE_INFINITY)));
 * const shown: number[] = [];
 * await pushInWorker("127.0.0.1:5000/demo:progress", new Blob([new Uint8Array(1024)]), { onProgress: (p) => shown.push(percent(p)) });
 * assert.equal(shown.at(-1), 100);
 * assert.ok(shown.slice(0, -1).every((value) => value < 100));
 * ```
 */
export interface PushProgress {
  /** `"layer"` while the layer is read, compressed and uploaded; then `"config"`, `"manifest"`; `"done"` once the manifest is written. */
  readonly phase: "layer" | "config" | "manifest" | "done";
  /** Uncompressed bytes read from the source, when counted. */
  readonly read: number | undefined;
  /** Compressed bytes made. */
  readonly compressed: number;
  /** Bytes the registry has confirmed it holds. */
  readonly acknowledged: number;
  /** The blob's size once known (at the end for a streaming layer). */
  readonly total: number | undefined;
  /** The source's size when it is a Blob or a File (a bound for `read`), else undefined. */
  readonly sourceSize: number | undefined;
}

/**
 * What {@link pushInWorker} pushed.
 *
 * @example Showing the pushed image by digest, and where the work was done
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushInWorker } from "streamlayer/worker";
 *
 * const result = await pushInWorker("127.0.0.1:5000/demo:result", new Blob([new Uint8Array(1024)]));
 * const line = `pushed ${result.reference} (layer ${result.layer.digest.slice(0, 19)}, ${result.layer.size} bytes, on ${result.thread === "worker" ? "a worker" : "this thread"})`;
 * assert.match(line, /^pushed 127\.0\.0\.1:5000\/demo@sha256:[0-9a-f]{64} \(layer sha256:[0-9a-f]{12}, \d+ bytes, on (a worker|this thread)\)$/);
 * assert.equal(result.layer.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
 * ```
 */
export interface PushResult {
  /** The manifest's descriptor, as `writeImage` returns it. */
  readonly descriptor: Descriptor;
  /** The pushed manifest by digest: `host[:port]/repository@sha256:…`. */
  readonly reference: string;
  /** The pushed layer, with its media type as the manifest lists it. */
  readonly layer: { readonly digest: string; readonly diffID: string; readonly size: number; readonly mediaType: string };
  /** Where the push ran. */
  readonly thread: PushThread;
}

/**
 * Pushes a tarball as the top layer of an image, off the calling thread: the
 * layer is read, compressed, hashed and uploaded, and the config and manifest
 * written, in a dedicated module Web Worker, so that a page stays responsive.
 * A source that starts with gzip's bytes (a `.tar.gz`) goes as it is; a tar
 * is compressed on the way.
 *
 * A `Blob` or `File` is handed to the worker as it is (nothing is copied);
 * a `ReadableStream` is transferred where the runtime can transfer streams,
 * else its chunks are passed on as the worker asks for them. Where no worker
 * can be made, the same push runs on this thread (`thread: "auto"`), and
 * `result.thread` says where it ran. Errors keep their class across the
 * boundary (`RegistryError` with its `status`, `TimeoutError`, …), and a
 * network failure seen by `fetch` stays a `TypeError` (as the cause of a
 * `RegistryError` that names CORS where that is the likely reason).
 *
 * Bundlers (Vite, webpack) find the worker file through
 * `new Worker(new URL("./_push_worker.js", import.meta.url), { type: "module" })`
 * and emit it as a file of its own; Deno runs it from the sources or the package.
 *
 * @param reference Where to push: `host[:port]/name[:tag]`.
 * @param source The uncompressed tar or the `.tar.gz`: a `File`, a `Blob` or a `ReadableStream<Uint8Array>` (which the push takes over).
 * @param options The base image, the layer's options, credentials, upload mode, signal, progress, thread.
 * @returns The manifest's descriptor, the reference by digest, the layer's values, where it ran.
 * @throws {TypeError} for a source or an option of the wrong kind (a function where data is needed).
 * @throws {WorkerUnavailableError} with `thread: "worker"` where no worker can be made.
 * @throws {InvalidReferenceError}, {@link RegistryError}, {@link AuthError}, {@link InvalidLayerSourceError} and the rest of what `writeImage` throws, as their own classes.
 * @throws the signal's reason when aborted.
 *
 * @example Pushing a tarball off the page's thread
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTarStream } from "streamlayer";
 * import { pushInWorker, type PushProgress } from "streamlayer/worker";
 *
 * // In a page: the File from <input type=file>, or a drop.
 * const tarball = new Blob([await new Response(createTarStream([{ path: "hello.txt", data: "hi\n" }])).arrayBuffer()]);
 * const phases: PushProgress["phase"][] = [];
 * const result = await pushInWorker("127.0.0.1:5000/hello:1", tarball, { onProgress: (p) => phases.push(p.phase) });
 * assert.equal(phases.at(-1), "done"); // only once the manifest is written
 * assert.match(result.reference, /^127\.0\.0\.1:5000\/hello@sha256:[0-9a-f]{64}$/);
 * assert.match(result.layer.diffID, /^sha256:[0-9a-f]{64}$/); // the tar's SHA-256
 * // A module Web Worker in browsers and Deno; this thread where there is none (Node).
 * assert.equal(result.thread, typeof Worker === "function" ? "worker" : "this-thread");
 * ```
 */
export async function pushInWorker(reference: string, source: Blob | ReadableStream<Uint8Array>, options: PushInWorkerOptions = {}): Promise<PushResult> {
  const { signal, onProgress, thread = "auto", ...rest } = options;
  checkArguments(reference, source, options);
  signal?.throwIfAborted();
  const request: PushRequest = { ...rest, reference };
  const report = onProgress ?? (() => {});
  if (thread !== "this-thread") {
    const worker = await startPushWorker(signal);
    if (worker !== undefined) return { ...(await pushThroughWorker(worker, request, source, report, signal)), thread: "worker" };
    if (thread === "worker") throw new WorkerUnavailableError();
  }
  return { ...(await runPush(request, source, report, signal)), thread: "this-thread" };
}

function checkArguments(reference: string, source: unknown, options: PushInWorkerOptions): void {
  if (typeof reference !== "string") throw new TypeError(`Invalid reference: expected a string, got ${typeof reference}`);
  const isStream = typeof ReadableStream === "function" && source instanceof ReadableStream;
  if (!(source instanceof Blob) && !isStream) throw new TypeError("Invalid source: expected a File, a Blob or a ReadableStream<Uint8Array>");
  if (isStream && (source as ReadableStream).locked) throw new TypeError("Invalid source: the ReadableStream is locked");
  const { thread = "auto" } = options;
  if (thread !== "auto" && thread !== "worker" && thread !== "this-thread") throw new TypeError(`Invalid thread: expected "auto", "worker" or "this-thread", got ${String(thread)}`);
  for (const name of ["auth", "baseAuth", "layer"] as const) {
    const value: unknown = options[name];
    if (value !== undefined && (typeof value !== "object" || value === null)) throw new TypeError(`Invalid ${name}: expected plain data (an object), got ${typeof value}`);
  }
  for (const [name, value] of [...Object.entries(options.layer ?? {}), ...Object.entries(options.auth ?? {}), ...Object.entries(options.baseAuth ?? {})]) {
    if (typeof value === "function") throw new TypeError(`Invalid option ${name}: a function cannot be posted to a worker; give it by name or as data`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") throw new TypeError("Invalid onProgress: expected a function");
}
