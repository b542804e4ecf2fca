import { createLazyHashWasmSha256 } from "./_lazy_hash_wasm_sha256.ts";
import { createDigestStreamSha256, hasDigestStream } from "./_digest_stream_sha256.ts";
import { defaultSha256Worker, workerSha256 } from "./_worker_sha256.ts";
import { runtime } from "#runtime";

/**
 * An incremental SHA-256.
 *
 * `update` is synchronous so that the hot path never awaits per chunk; an
 * implementation that works asynchronously underneath queues the bytes and
 * settles in `digest`. The bytes passed to `update` must not be changed
 * afterwards.
 */
export interface Sha256 {
  /** Adds bytes to the hash. */
  update(data: Uint8Array): void;
  /** Finishes the hash: 64 lowercase hex digits. Call once. */
  digest(): Promise<string>;
  /**
   * Where the hashing happens elsewhere (a worker) and the bytes wait for it
   * in a bounded number of buffers: a promise to await before the next
   * `update` while they are all taken, else `undefined` (no await per chunk).
   * Rejects when the hash has failed.
   */
  whenReady?(): Promise<void> | undefined;
  /** Stops the hash and whatever helps it (a worker); `digest` then fails. */
  close?(): void;
}

type Sha256Factory = () => Promise<Sha256>;

let chosenFactory: Promise<Sha256Factory> | undefined;

/**
 * Creates an incremental SHA-256: the runtime's own `node:crypto` in Node
 * (about 4× hash-wasm) and Deno (about 6×), else hash-wasm where WebAssembly
 * may be compiled, else the
 * platform's streaming digest (Cloudflare Workers' `crypto.DigestStream`),
 * which exists precisely where compiling WebAssembly from bytes is forbidden.
 *
 * The choice is made once per process, by trying hash-wasm the first time.
 *
 * @throws {Error} the hash-wasm failure, when neither implementation can run here.
 */
export function createSha256(): Promise<Sha256> {
  chosenFactory ??= chooseFactory();
  return chosenFactory.then((factory) => factory());
}

async function chooseFactory(): Promise<Sha256Factory> {
  const native = runtime.createSha256;
  if (native) return () => Promise.resolve(native());
  try {
    await createLazyHashWasmSha256();
    return createLazyHashWasmSha256;
  } catch (error) {
    if (hasDigestStream()) return createDigestStreamSha256;
    chosenFactory = undefined;
    throw error;
  }
}

/**
 * An incremental SHA-256 for a layer's bytes, which may be gigabytes hashed
 * beside a compressor on the same thread: the runtime's native one where it
 * has one (Node's and Deno's `node:crypto`, 4 to 6× hash-wasm), else a
 * hash-wasm on a Web Worker where there are Web Workers (browsers), so that
 * the thread that compresses only copies the bytes, else {@link createSha256}
 * (Cloudflare Workers: `crypto.DigestStream`).
 */
export function createLayerSha256(createWorker = defaultSha256Worker): Promise<Sha256> {
  const native = runtime.createSha256;
  if (native) return Promise.resolve(native());
  if (typeof globalThis.Worker === "function") return Promise.resolve(workerSha256(createWorker));
  return createSha256();
}

/**
 * The OCI digest (`sha256:<hex>`) of bytes already in memory, such as a
 * manifest or a config.
 */
export async function digestOf(bytes: Uint8Array): Promise<string> {
  const sha256 = await createSha256();
  sha256.update(bytes);
  return sha256Digest(await sha256.digest());
}

/** Formats a hex SHA-256 as an OCI digest: `sha256:<hex>`. */
export function sha256Digest(hex: string): string {
  return `sha256:${hex}`;
}
