// The page of chromium_worker_push.spec.ts: pushes with streamlayer/worker as
// an application would, from a File of its <input type=file> or a stream of
// its own, and reports what it saw as plain data (the spec checks it against
// the registry). Bundled by esbuild; the worker file is served beside it, as
// a bundler user's page has it.
import * as lib from "../../../src/index.ts";
import { pushInWorker, WorkerUnavailableError, type PushInWorkerOptions, type PushProgress, type PushResult } from "../../../src/worker/index.ts";

/** What the spec may pass as options: data only. */
export type PageOptions = Omit<PushInWorkerOptions, "signal" | "onProgress">;

export type SourceKind = "file" | "stream" | "blob";

export interface DescribedError {
  name: string;
  message: string;
  code?: unknown;
  status?: unknown;
  method?: unknown;
  url?: unknown;
  codes?: unknown;
  temporary?: unknown;
  /** The classes of the library (and TypeError) that `instanceof` says the error is. */
  instanceOf: string[];
  cause?: { name: string; message: string; isTypeError: boolean };
}

export type PushOutcome = { ok: true; result: PushResult; progress: PushProgress[] } | { ok: false; error: DescribedError; progress: PushProgress[] };

export interface AbortOutcome {
  rejected: boolean;
  /** The promise rejected with the very reason given to abort(). */
  withTheReason: boolean;
  /** The page's stream was cancelled (the worker let go of it). */
  sourceCancelled: boolean;
  acknowledgedBeforeAbort: number;
  error?: DescribedError;
}

const CLASSES: Record<string, abstract new (...args: never[]) => unknown> = {
  StreamLayerError: lib.StreamLayerError, RegistryError: lib.RegistryError, AuthError: lib.AuthError, TimeoutError: lib.TimeoutError,
  InvalidReferenceError: lib.InvalidReferenceError, InvalidLayerSourceError: lib.InvalidLayerSourceError, UploadNotResumableError: lib.UploadNotResumableError,
  DigestMismatchError: lib.DigestMismatchError, WorkerUnavailableError, TypeError, Error,
};

function describe(error: unknown): DescribedError {
  const value = error as Record<string, unknown> & Error;
  const cause = value.cause as Error | undefined;
  return {
    name: value.name,
    message: value.message,
    code: value.code,
    status: value.status,
    method: value.method,
    url: value.url,
    codes: error instanceof lib.RegistryError ? error.codes : undefined,
    temporary: value.temporary,
    instanceOf: Object.entries(CLASSES).filter(([, type]) => error instanceof type).map(([name]) => name),
    ...(cause instanceof Error ? { cause: { name: cause.name, message: cause.message, isTypeError: cause instanceof TypeError } } : {}),
  };
}

function chosenFile(): File {
  const file = document.querySelector<HTMLInputElement>("#tarball")?.files?.[0];
  if (!file) throw new Error("no file chosen");
  return file;
}

function sourceOf(kind: SourceKind): Blob | ReadableStream<Uint8Array> {
  const file = chosenFile();
  if (kind === "file") return file;
  if (kind === "blob") return new Blob([file]);
  // A stream of the page's own, not the File's: what a page that packs files into a tar would hand over.
  return file.stream().pipeThrough(new TransformStream<Uint8Array, Uint8Array>());
}

async function push(reference: string, kind: SourceKind, options: PageOptions = {}): Promise<PushOutcome> {
  const progress: PushProgress[] = [];
  try {
    const result = await pushInWorker(reference, sourceOf(kind), { ...options, onProgress: (p) => progress.push(p) });
    return { ok: true, result, progress };
  } catch (error) {
    return { ok: false, error: describe(error), progress };
  }
}

/**
 * Pushes a stream that gives `before` bytes of the chosen file and then waits
 * for ever, and aborts once the registry has acknowledged some of it.
 */
async function pushAndAbort(reference: string, before: number, options: PageOptions = {}): Promise<AbortOutcome> {
  const bytes = new Uint8Array(await chosenFile().arrayBuffer()).subarray(0, before);
  let sourceCancelled = false;
  let offset = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return new Promise<void>(() => {}); // hangs, as a slow disk or network would
      const piece = bytes.slice(offset, offset + 64 * 1024);
      offset += piece.length;
      controller.enqueue(piece);
    },
    cancel() {
      sourceCancelled = true;
    },
  }, { highWaterMark: 0 });
  const controller = new AbortController();
  const reason = new DOMException("Cancelled by the user", "AbortError");
  let acknowledgedBeforeAbort = 0;
  const onProgress = (p: PushProgress) => {
    if (p.acknowledged > 0 && !controller.signal.aborted) {
      acknowledgedBeforeAbort = p.acknowledged;
      controller.abort(reason);
    }
  };
  try {
    await pushInWorker(reference, source, { ...options, signal: controller.signal, onProgress });
    return { rejected: false, withTheReason: false, sourceCancelled, acknowledgedBeforeAbort };
  } catch (error) {
    // The worker may still be letting go of the stream: give the cancel a moment to reach the page.
    for (let i = 0; i < 50 && !sourceCancelled; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return { rejected: true, withTheReason: error === reason, sourceCancelled, acknowledgedBeforeAbort, error: describe(error) };
  }
}

const violations: string[] = [];
globalThis.addEventListener("securitypolicyviolation", (event) => violations.push((event as SecurityPolicyViolationEvent).effectiveDirective));

Object.assign(globalThis, { workerPushTest: { push, pushAndAbort, violations: () => [...violations] } });

export interface WorkerPushTestApi {
  push: typeof push;
  pushAndAbort: typeof pushAndAbort;
  violations(): string[];
}
