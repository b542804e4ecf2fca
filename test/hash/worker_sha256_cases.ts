// The cases of worker_sha256.test.ts, run where Web Workers are (Deno from the
// sources, Chromium from a page whose bundle finds the worker as a file beside
// it). Web-platform globals only. Each case answers what Node then checks with
// its own SHA-256 and gunzip: digests, the gzip bytes, which promises settled,
// and whether every worker made was terminated.
import { workerSha256, defaultSha256Worker } from "../../src/hash/_worker_sha256.ts";
import { createLayerSha256 } from "../../src/hash/_sha256.ts";
import { StreamLayer } from "../../src/index.ts";

/** Deterministic bytes that compress like a tar does, partly: `length` of them from `seed`. */
export function caseBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = i % 1024 < 600 ? state & 0xff : (i >> 7) & 0x3f; // noise, then runs
  }
  return bytes;
}

/** How a case's input is cut: fixed pieces, or pseudo-random ones up to `max`. */
export const DIGEST_CASES = [
  { name: "0 bytes", length: 0, piece: 1 },
  { name: "1 byte", length: 1, piece: 1 },
  { name: "1 MiB - 1 in 7777-byte pieces", length: (1 << 20) - 1, piece: 7777 },
  { name: "1 MiB exactly in one piece", length: 1 << 20, piece: 1 << 20 },
  { name: "1 MiB + 1 in 64 KiB pieces", length: (1 << 20) + 1, piece: 65536 },
  { name: "5 MiB + 7 in random pieces up to 3 MiB", length: 5 * (1 << 20) + 7, piece: -3 * (1 << 20) },
  { name: "9 MiB in one piece, more than all the buffers", length: 9 * (1 << 20), piece: 9 * (1 << 20) },
] as const;

export interface WorkerCaseResult {
  name: string;
  /** Hex digests, the gzip bytes as base64, settled promises: what the case has to show. */
  answer?: Record<string, unknown>;
  error?: string;
}

/** Counts the Workers made and terminated in this realm. */
export function countWorkers(): { made: number; terminated: number } {
  const counts = { made: 0, terminated: 0 };
  const Native = globalThis.Worker;
  globalThis.Worker = class CountingWorker extends Native {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      counts.made++;
    }
    override terminate(): void {
      counts.terminated++;
      super.terminate();
    }
  };
  return counts;
}

function pieces(bytes: Uint8Array, piece: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let state = seed;
  for (let offset = 0; offset < bytes.length;) {
    state = (state * 1103515245 + 12345) >>> 0;
    const length = piece > 0 ? piece : 1 + (state % -piece);
    out.push(bytes.subarray(offset, (offset += length)));
  }
  return out;
}

async function hashWithWorker(bytes: Uint8Array, piece: number, createWorker = defaultSha256Worker): Promise<string> {
  const sha256 = workerSha256(createWorker);
  for (const chunk of pieces(bytes, piece, bytes.length)) {
    sha256.update(chunk);
    const room = sha256.whenReady?.();
    if (room) await room;
  }
  return sha256.digest();
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function streamOf(chunks: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index === failAfter) return controller.error(new Error("the source failed"));
      const chunk = chunks[index++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  }, { highWaterMark: 0 });
}

async function settled(promises: Record<string, Promise<unknown>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, promise] of Object.entries(promises)) {
    out[name] = await promise.then((value) => `fulfilled ${String(value)}`, (error: Error) => `rejected ${error.name}: ${error.message}`);
  }
  return out;
}

/** A tar-like input for the layer cases: the first 512 bytes a tar header would checksum to are not needed (requireTar: false). */
const LAYER_BYTES = () => caseBytes(6 * (1 << 20) + 123, 77);

export const workerCases: { name: string; run(): Promise<Record<string, unknown>> }[] = [
  ...DIGEST_CASES.map(({ name, length, piece }) => ({
    name: `digest of ${name}`,
    run: async () => ({ digest: await hashWithWorker(caseBytes(length, 7), piece) }),
  })),
  {
    name: "a worker that does not load: the pieces are hashed on this thread instead",
    run: async () => ({ digest: await hashWithWorker(caseBytes(3 * (1 << 20) + 5, 7), 65536, () => new Worker(new URL("./no-such-worker.js", import.meta.url), { type: "module" })) }),
  },
  {
    name: "no Worker can be made: the pieces are hashed on this thread instead",
    run: async () => ({ digest: await hashWithWorker(caseBytes(3 * (1 << 20) + 5, 7), 65536, () => { throw new Error("forbidden"); }) }),
  },
  {
    // The race a page whose CSP forbids workers ran into: the worker's error
    // came, and digest() was asked while this thread's hash was still loading.
    name: "a worker that fails just before digest: digest waits for this thread's hash to load",
    run: async () => {
      let fail: ((event: { preventDefault(): void; message: string }) => void) | undefined;
      const failingWorker = {
        postMessage() {},
        terminate() {},
        set onerror(listener: (event: { preventDefault(): void; message: string }) => void) {
          fail = listener;
        },
      };
      const sha256 = workerSha256(() => failingWorker as unknown as Worker);
      sha256.update(caseBytes(3 * (1 << 20) + 5, 7));
      fail!({ preventDefault() {}, message: "its script did not load" });
      return { digest: await sha256.digest() };
    },
  },
  {
    name: "close stops the worker and fails the digest",
    run: async () => {
      const counts = countWorkers();
      const sha256 = workerSha256(defaultSha256Worker);
      sha256.update(caseBytes(2 * (1 << 20), 1));
      sha256.close?.();
      return { ...(await settled({ digest: sha256.digest() })), ...counts };
    },
  },
  {
    name: "StreamLayer: digests and gzip bytes",
    run: async () => {
      const counts = countWorkers();
      const layer = new StreamLayer(streamOf(pieces(LAYER_BYTES(), 65536, 1)), { requireTar: false });
      const gzip = new Uint8Array(await new Response(layer.compressed()).arrayBuffer());
      return { diffID: await layer.diffID(), digest: await layer.digest(), size: await layer.size(), gzip: base64(gzip), ...counts };
    },
  },
  {
    name: "StreamLayer: a cancel mid-stream settles every value and terminates the workers",
    run: async () => {
      const counts = countWorkers();
      const layer = new StreamLayer(streamOf(pieces(LAYER_BYTES(), 65536, 1)), { requireTar: false });
      const reader = layer.compressed().getReader();
      for (let i = 0; i < 3; i++) await reader.read();
      await reader.cancel(new Error("enough"));
      return { ...(await settled({ digest: layer.digest(), diffID: layer.diffID(), size: layer.size() })), ...counts };
    },
  },
  {
    name: "StreamLayer: a failing source fails everything and terminates the workers",
    run: async () => {
      const counts = countWorkers();
      const layer = new StreamLayer(streamOf(pieces(LAYER_BYTES(), 65536, 1), 40), { requireTar: false });
      const read = (async () => {
        const reader = layer.compressed().getReader(); // not Response: Chromium words its failure its own way
        while (!(await reader.read()).done);
      })();
      return { ...(await settled({ read, digest: layer.digest(), diffID: layer.diffID(), size: layer.size() })), ...counts };
    },
  },
  {
    name: "createLayerSha256 takes a worker here unless the runtime has a native SHA-256",
    run: async () => {
      const counts = countWorkers();
      const sha256 = await createLayerSha256();
      sha256.update(caseBytes(100, 1));
      return { digest: await sha256.digest(), ...counts };
    },
  },
];

/** Runs every case (or those named), each to an answer or an error. */
export async function runWorkerCases(names?: readonly string[]): Promise<WorkerCaseResult[]> {
  const results: WorkerCaseResult[] = [];
  const NativeWorker = globalThis.Worker;
  for (const { name, run } of workerCases) {
    if (names && !names.includes(name)) continue;
    try {
      results.push({ name, answer: await run() });
    } catch (error) {
      results.push({ name, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    } finally {
      globalThis.Worker = NativeWorker;
    }
  }
  return results;
}
