import { createLazyHashWasmSha256 } from "./_lazy_hash_wasm_sha256.ts";
import type { Sha256 } from "./_sha256.ts";
import type { Sha256WorkerRequest, Sha256WorkerResponse } from "./_sha256_worker.ts";

/** Makes the Web Worker that runs _sha256_worker.ts (or its built .js). */
export type Sha256WorkerFactory = () => Worker;

/** How the bytes travel to the worker: in `pieces` buffers of `pieceSize` bytes, reused. */
export interface WorkerSha256Options {
  /** @default 1 MiB */
  pieceSize?: number;
  /** The bound on the memory: pieces being filled, waiting, or being hashed. @default 4 */
  pieces?: number;
}

type Mode = "starting" | "worker" | "local" | "closed";

/**
 * A SHA-256 computed on a Web Worker, so that the thread that compresses does
 * not also hash: the bytes given to `update` are copied into a few reused
 * buffers of 1 MiB, each sent (transferred) to the worker when full and sent
 * back once hashed. At most `pieces` buffers exist at once: `whenReady()`
 * tells the caller to wait while all of them are taken.
 *
 * Until the worker says it is ready the pieces are kept here; if it cannot be
 * made (no `Worker`, a Content-Security-Policy) or fails to load, they and the
 * rest are hashed on this thread by hash-wasm instead, so the digest never
 * depends on where it was computed.
 */
export function workerSha256(createWorker: Sha256WorkerFactory, options: WorkerSha256Options = {}): Sha256 {
  const pieceSize = options.pieceSize ?? 1024 * 1024;
  const maxPieces = options.pieces ?? 4;
  let mode: Mode = "starting";
  let worker: Worker | undefined;
  let local: Sha256 | undefined; // the hash on this thread, once workers are out of the question
  let failure: unknown;
  const free: Uint8Array<ArrayBuffer>[] = [];
  const held: { piece: Uint8Array<ArrayBuffer>; length: number }[] = []; // filled, not yet hashed nor sent
  let made = 0;
  let inFlight = 0;
  let current: Uint8Array<ArrayBuffer> | undefined;
  let filled = 0;
  let wakeUp: Waiter | undefined; // whenReady's
  let digestWaiter: Waiter<string> | undefined;
  let modeKnown: Waiter | undefined; // digest's, while the worker is starting

  const fail = (error: unknown) => {
    if (mode === "closed") return;
    failure ??= error;
    stop();
    wakeUp?.reject(failure);
    digestWaiter?.reject(failure);
    modeKnown?.reject(failure);
  };
  const stop = () => {
    mode = "closed";
    worker?.terminate();
    worker = undefined;
    free.length = held.length = 0;
    current = undefined;
  };
  const release = (piece: Uint8Array<ArrayBuffer>) => {
    // More than the bound exist only after an update larger than all of them.
    if (made > maxPieces) made--;
    else free.push(piece);
    const waiting = wakeUp;
    wakeUp = undefined;
    waiting?.resolve();
  };
  const dispatch = (piece: Uint8Array<ArrayBuffer>, length: number) => {
    if (mode === "worker" && worker) {
      inFlight++;
      const message: Sha256WorkerRequest = { type: "update", buffer: piece.buffer, length };
      worker.postMessage(message, [piece.buffer]);
    } else if (mode === "local" && local) {
      local.update(piece.subarray(0, length));
      release(piece);
    } else {
      held.push({ piece, length });
    }
  };
  const flushHeld = () => {
    for (const { piece, length } of held.splice(0)) dispatch(piece, length);
  };
  const onThisThread = () => {
    if (mode !== "starting") return;
    worker?.terminate();
    worker = undefined;
    mode = "local";
    createLazyHashWasmSha256().then((hash) => {
      if (mode !== "local") return;
      local = hash;
      flushHeld();
      modeKnown?.resolve();
    }, fail);
  };
  const onMessage = (event: MessageEvent<Sha256WorkerResponse>) => {
    const answer = event.data;
    switch (answer.type) {
      case "ready":
        if (mode !== "starting") return;
        mode = "worker";
        flushHeld();
        modeKnown?.resolve();
        return;
      case "hashed":
        inFlight--;
        return release(new Uint8Array(answer.buffer));
      case "digest":
        stop();
        return digestWaiter?.resolve(answer.hex);
      case "error":
        return mode === "starting" ? onThisThread() : fail(new Error(`Cannot hash: ${answer.message}`));
    }
  };

  try {
    worker = createWorker();
    worker.onmessage = onMessage;
    // A script that does not load, or throws, ends here: no message will come.
    worker.onerror = (event) => {
      event.preventDefault();
      if (mode === "starting") onThisThread();
      else fail(new Error(`Cannot hash: the hashing worker failed: ${event.message}`));
    };
    worker.onmessageerror = () => fail(new Error("Cannot hash: a message from the hashing worker could not be read"));
  } catch {
    onThisThread(); // no Worker here, or forbidden
  }

  const takePiece = (): Uint8Array<ArrayBuffer> => {
    const piece = free.pop();
    if (piece) return piece;
    made++;
    return new Uint8Array(pieceSize);
  };

  return {
    update(data) {
      if (mode === "closed") return;
      let offset = 0;
      while (offset < data.byteLength) {
        current ??= takePiece();
        const length = Math.min(pieceSize - filled, data.byteLength - offset);
        current.set(data.subarray(offset, offset + length), filled);
        filled += length;
        offset += length;
        if (filled === pieceSize) {
          const full = current;
          current = undefined;
          filled = 0;
          dispatch(full, pieceSize);
        }
      }
    },
    whenReady() {
      if (failure !== undefined) return Promise.reject(failure);
      if (mode === "closed" || made < maxPieces || free.length > 0) return undefined;
      wakeUp ??= waiter();
      return wakeUp.promise;
    },
    async digest() {
      if (failure !== undefined) throw failure;
      if (mode === "closed") throw new Error("Cannot hash: the hash was closed");
      if (current && filled > 0) dispatch(current, filled);
      current = undefined;
      filled = 0;
      // Starting, or moved to this thread with its hash still loading: either
      // way, where the bytes go is not settled yet.
      if (mode === "starting" || (mode === "local" && !local)) {
        modeKnown = waiter();
        await modeKnown.promise;
      }
      if (mode === "local" && local) {
        const hex = local.digest();
        stop();
        return hex;
      }
      digestWaiter = waiter<string>();
      const request: Sha256WorkerRequest = { type: "digest" };
      worker!.postMessage(request);
      return digestWaiter.promise;
    },
    close() {
      if (mode === "closed") return;
      stop();
      const closed = new Error("Cannot hash: the hash was closed");
      wakeUp?.reject(closed);
      digestWaiter?.reject(closed);
      modeKnown?.reject(closed);
    },
  };
}

interface Waiter<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function waiter<T = void>(): Waiter<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // whoever awaits it sees the failure; nobody else must
  return { promise, resolve, reject };
}

/**
 * The worker as bundlers find it: `new Worker(new URL("./x.js",
 * import.meta.url), { type: "module" })` names the built file beside this
 * one. Run from the TypeScript sources (Deno, a test page), this module's URL
 * ends in .ts and so does the worker's.
 */
export function defaultSha256Worker(): Worker {
  if (import.meta.url.endsWith(".ts")) {
    return new Worker(import.meta.url.replace(/_worker_sha256\.ts$/, "_sha256_worker.ts"), { type: "module" });
  }
  return new Worker(new URL("./_sha256_worker.js", import.meta.url), { type: "module" });
}
