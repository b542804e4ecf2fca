// streamlayer/worker in Deno, which has module Web Workers: the push runs in
// one, from the TypeScript sources (the worker found beside the module as .ts)
// and from the packed package (its built _push_worker.js, found by the
// bundler pattern). Started by run.ts, which passes the registry's address.
import * as sourceRoot from "../../../src/index.ts";
import * as sourceWorker from "../../../src/worker/index.ts";
import * as builtRoot from "npm:streamlayer";
import * as builtWorker from "npm:streamlayer/worker";
import { fetchCheckedBlob, webCryptoDigest } from "../../support/blob_check.ts";
import { collect, tarLikeBytes, withTarHeader } from "../../support/bytes.ts";

const registry = Deno.env.get("STREAMLAYER_REGISTRY");
if (!registry) throw new Error("STREAMLAYER_REGISTRY is not set: start this suite with `npm run test:deno`");

type WorkerEntry = typeof sourceWorker;
const entries: [string, WorkerEntry, typeof sourceRoot][] = [
  ["src", sourceWorker, sourceRoot],
  ["npm", builtWorker as unknown as WorkerEntry, builtRoot as unknown as typeof sourceRoot],
];

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return collect(new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream("gzip")));
}

for (const [label, { pushInWorker }, lib] of entries) {
  Deno.test(`deno (${label}): a Blob and a stream are pushed in a module worker, and land`, async () => {
    const tar = withTarHeader(tarLikeBytes(2 * 1024 * 1024 + 512, label.length));
    for (const [kind, source] of [["blob", new Blob([tar])], ["stream", new Blob([tar]).stream()]] as const) {
      const repository = `deno-worker/${label}-${kind}`;
      const phases: string[] = [];
      const result = await pushInWorker(`${registry}/${repository}:1`, source, { chunkSize: 1024 * 1024, onProgress: (p) => phases.push(p.phase) });
      assertEqual(result.thread, "worker", "where it ran");
      assertEqual(result.reference, `${registry}/${repository}@${result.descriptor.digest}`, "the reference by digest");
      assertEqual(phases.filter((phase, i) => phase !== phases[i - 1]).join(" "), "layer config manifest done", "the phases");
      const blob = (await fetchCheckedBlob(`http://${registry}`, repository, result.layer.digest, result.layer.size)).bytes;
      assertEqual(result.layer.diffID, await webCryptoDigest(tar), "the DiffID is the tar's SHA-256");
      assertEqual(await webCryptoDigest(await gunzip(blob)), await webCryptoDigest(tar), "the stored blob gunzips to the tar");
    }
  });

  Deno.test(`deno (${label}): a registry's 404 arrives from the worker as the package's own RegistryError`, async () => {
    const error = await pushInWorker(`${registry}/deno-worker/${label}-errors:1`, new Blob([new Uint8Array(1024)]), { base: `${registry}/deno-worker/no-such-base:1` }).then(() => undefined, (reason: unknown) => reason);
    if (!(error instanceof lib.RegistryError)) throw new Error(`expected a RegistryError, got ${String(error)}`);
    assertEqual(error.status, 404, "status");
    assertEqual(error.code, "REGISTRY_ERROR", "code");
    assertEqual(error.codes.join(), "MANIFEST_UNKNOWN", "the registry's codes");
  });

  Deno.test(`deno (${label}): abort mid-push rejects with the signal's reason`, async () => {
    const tar = withTarHeader(tarLikeBytes(8 * 1024 * 1024, 9));
    let offset = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= tar.length) return new Promise<void>(() => {}); // a source gone quiet
        controller.enqueue(tar.slice(offset, (offset += 256 * 1024)));
      },
    }, { highWaterMark: 0 });
    const controller = new AbortController();
    const reason = new Error("cancelled by the user");
    const error = await pushInWorker(`${registry}/deno-worker/${label}-abort:1`, source, {
      chunkSize: 1024 * 1024,
      signal: controller.signal,
      onProgress: (p) => void (p.acknowledged > 0 && controller.abort(reason)),
    }).then(() => undefined, (caught: unknown) => caught);
    assertEqual(error, reason, "the rejection");
  });
}

Deno.test("deno (src): a worker that never says it is ready is terminated after the bound, and the push may go on here", async () => {
  const { startPushWorker } = await import("../../../src/worker/_start_push_worker.ts");
  const made: Worker[] = [];
  const terminated: Worker[] = [];
  const silent = () => {
    const worker = new Worker(`data:text/javascript,${encodeURIComponent("// loads, and never posts")}`, { type: "module" });
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => (terminated.push(worker), terminate());
    made.push(worker);
    return worker;
  };
  assertEqual(await startPushWorker(undefined, { createWorker: silent, readyWithin: 300 }), undefined, "no worker");
  assertEqual(terminated.length === 1 && terminated[0] === made[0], true, "the silent worker was terminated");
  const ready = () => new Worker(`data:text/javascript,${encodeURIComponent('postMessage({ type: "ready", modules: 0 })')}`, { type: "module" });
  const worker = await startPushWorker(undefined, { createWorker: ready, readyWithin: 60_000 });
  assertEqual(worker instanceof Worker, true, "a worker that says it is ready is taken");
  worker?.terminate();
});
