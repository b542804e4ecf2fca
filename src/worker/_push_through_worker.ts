import { fromTransferredError } from "./_error_transfer.ts";
import type { PushOutcome, PushRequest } from "./_push.ts";
import type { FromWorker, PostedSource, ToWorker } from "./_protocol.ts";
import { serveStream } from "./_stream_port.ts";
import type { PushProgress } from "./push_in_worker.ts";

/**
 * How long an aborted worker is given to end its push before it is
 * terminated: an upload request in flight may linger 5 s for the registry's
 * answer, then the session's DELETE may take 5 s (registry/_lingering_signal.ts,
 * UploadSession.cancel).
 */
export const ABORT_BOUND_MS = 10_000;

/**
 * Runs the push in `worker` (loaded, nothing posted yet) and settles with its
 * outcome. The worker is terminated once the push has settled, whichever way.
 * On abort the worker's own push is aborted first, so that it deletes its
 * upload session, and the promise rejects with the signal's reason once it
 * has (or after {@link ABORT_BOUND_MS}).
 */
export function pushThroughWorker(worker: Worker, request: PushRequest, source: Blob | ReadableStream<Uint8Array>, onProgress: (progress: PushProgress) => void, signal: AbortSignal | undefined): Promise<PushOutcome> {
  return new Promise<PushOutcome>((resolve, reject) => {
    let aborted = false;
    let bound: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (outcome: { value: PushOutcome } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (bound !== undefined) clearTimeout(bound);
      worker.terminate();
      if ("value" in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const fail = (error: unknown) => settle({ error: aborted ? signal?.reason : error });
    const onAbort = () => {
      aborted = true;
      worker.postMessage({ type: "abort" } satisfies ToWorker);
      bound = setTimeout(() => fail(undefined), ABORT_BOUND_MS);
    };
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "progress") {
        try {
          onProgress(message.progress);
        } catch {
          // A progress display must not break the push.
        }
      } else if (message.type === "result") settle({ value: message.outcome });
      else if (message.type === "error") fail(fromTransferredError(message.error));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail(new Error(`The push worker failed: ${event.message || "an error without a message"}`));
    };
    worker.onmessageerror = () => fail(new Error("The push worker failed: a message could not be read"));
    try {
      post(worker, request, source);
    } catch (error) {
      fail(error);
      return;
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// A Blob is cloned (a reference to the same bytes, nothing copied); a stream
// is transferred where streams can be, else served over a MessagePort. A
// runtime that cannot transfer it throws a DataCloneError while serializing,
// before anything is transferred, so the stream is still ours to serve.
function post(worker: Worker, request: PushRequest, source: Blob | ReadableStream<Uint8Array>): void {
  if (source instanceof Blob) return send(worker, request, { kind: "blob", blob: source });
  try {
    return send(worker, request, { kind: "stream", stream: source }, [source as unknown as Transferable]);
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== "DataCloneError" || source.locked) throw error;
  }
  const channel = new MessageChannel();
  serveStream(source, channel.port1);
  send(worker, request, { kind: "port", port: channel.port2 }, [channel.port2]);
}

function send(worker: Worker, request: PushRequest, source: PostedSource, transfer: Transferable[] = []): void {
  worker.postMessage({ type: "push", request, source } satisfies ToWorker, transfer);
}
