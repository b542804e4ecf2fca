// The module script of the Web Worker of `createWorkerSha256`: one SHA-256 on
// hash-wasm, fed the pieces it is sent, each piece's buffer sent back to be
// filled again.
import { createSHA256 } from "hash-wasm";

/** What the calling thread sends. */
export type Sha256WorkerRequest = { type: "update"; buffer: ArrayBuffer; length: number } | { type: "digest" };

/** What the worker answers: ready once its hash-wasm is compiled, each piece's buffer back, the digest, or why not. */
export type Sha256WorkerResponse =
  | { type: "ready" }
  | { type: "hashed"; buffer: ArrayBuffer }
  | { type: "digest"; hex: string }
  | { type: "error"; message: string };

// A worker's global scope, typed without the WebWorker library (the core is
// checked against the DOM library, whose `self` is a Window).
interface WorkerScope {
  onmessage: ((event: MessageEvent<Sha256WorkerRequest>) => void) | null;
  postMessage(message: Sha256WorkerResponse, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
const hasher = createSHA256().then((created) => {
  created.init();
  return created;
});
hasher.then(
  () => scope.postMessage({ type: "ready" }),
  (error: unknown) => scope.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) }),
);

scope.onmessage = (event) => {
  const request = event.data;
  void hasher.then((ready) => {
    if (request.type === "update") {
      ready.update(new Uint8Array(request.buffer, 0, request.length));
      scope.postMessage({ type: "hashed", buffer: request.buffer }, [request.buffer]);
    } else {
      scope.postMessage({ type: "digest", hex: ready.digest("hex") });
    }
  });
};
