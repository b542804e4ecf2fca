// The module script of pushInWorker's Web Worker: runs one push (_push.ts) on
// what the caller posts, and posts back its progress and its outcome, errors
// as data that the caller makes into their classes again.
import { toTransferredError } from "./_error_transfer.ts";
import type { FromWorker, PostedSource, ToWorker } from "./_protocol.ts";
import { runPush } from "./_push.ts";
import { receiveStream } from "./_stream_port.ts";
import { LOADED_UP_FRONT } from "./_one_chunk.ts";

// A worker's global scope, typed without the WebWorker library (the core is
// checked against the DOM library, whose `self` is a Window).
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
const controller = new AbortController();

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "abort") {
    controller.abort(new DOMException("The push was aborted", "AbortError"));
    return;
  }
  runPush(message.request, sourceOf(message.source), (progress) => scope.postMessage({ type: "progress", progress }), controller.signal).then(
    (outcome) => scope.postMessage({ type: "result", outcome }),
    (error: unknown) => scope.postMessage({ type: "error", error: toTransferredError(error) }),
  );
};

function sourceOf(source: PostedSource): Blob | ReadableStream<Uint8Array> {
  if (source.kind === "blob") return source.blob;
  if (source.kind === "stream") return source.stream;
  return receiveStream(source.port);
}

// The count of modules loaded up front keeps them in the worker's bundle (see _one_chunk.ts).
scope.postMessage({ type: "ready", modules: LOADED_UP_FRONT.length });
