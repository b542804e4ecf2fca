// The messages between pushInWorker and its module worker (_push_worker.ts).
import type { TransferredError } from "./_error_transfer.ts";
import type { PushOutcome, PushRequest } from "./_push.ts";
import type { PushProgress } from "./push_in_worker.ts";

/** The source as posted: a Blob (cloned, not copied), a transferred stream, or a port serving the stream's chunks. */
export type PostedSource =
  | { readonly kind: "blob"; readonly blob: Blob }
  | { readonly kind: "stream"; readonly stream: ReadableStream<Uint8Array> }
  | { readonly kind: "port"; readonly port: MessagePort };

/** From the caller to the worker. */
export type ToWorker = { readonly type: "push"; readonly request: PushRequest; readonly source: PostedSource } | { readonly type: "abort" };

/** From the worker to the caller: it loaded; progress; the outcome or the failure. */
export type FromWorker =
  | { readonly type: "ready"; readonly modules: number }
  | { readonly type: "progress"; readonly progress: PushProgress }
  | { readonly type: "result"; readonly outcome: PushOutcome }
  | { readonly type: "error"; readonly error: TransferredError };
