// The conformance suite in workerd, plus what only a Worker shows: a tarball
// posted as a request body becomes a layer in the registry; hash-wasm cannot
// compile there and crypto.DigestStream hashes instead; a layer larger than
// the 128 MiB a Worker may use streams through without the Worker holding it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { conformanceCases } from "../../conformance/cases.ts";
import { tarLikeBytes, withTarHeader } from "../../support/bytes.ts";
import { startRegistry, type RunningRegistry } from "../../support/registry.ts";
import { startWorker, type RunningWorker } from "./_workerd.ts";

const MiB = 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
let registry: RunningRegistry;
let worker: RunningWorker;

before(async () => {
  registry = await startRegistry();
  worker = await startWorker(registry.host);
});
after(async () => {
  await worker?.stop();
  await registry?.stop();
});

interface PushAnswer {
  descriptor: { digest: string; size: number; mediaType: string };
  diffID: string;
  digestStreams: number;
}

async function postTarball(repository: string, body: BodyInit, query = "", to = worker): Promise<PushAnswer> {
  const response = await to.fetch(`/layer?repository=${registry.host}/${repository}${query}`, { method: "POST", body, duplex: "half" } as RequestInit);
  const answer = (await response.json()) as PushAnswer & { error?: string };
  assert.equal(response.status, 200, answer.error);
  return answer;
}

/** HEAD and GET from the registry; the GET body is hashed, and hashed again through gunzip, as it streams. */
async function checkBlob(repository: string, digest: string, size: number): Promise<{ digest: string; diffID: string; length: number }> {
  const url = `${registry.url}/v2/${repository}/blobs/${digest}`;
  const head = await fetch(url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("docker-content-digest"), digest);
  assert.equal(head.headers.get("content-length"), String(size));
  const get = await fetch(url);
  assert.equal(get.status, 200);
  const compressedHash = createHash("sha256");
  const uncompressedHash = createHash("sha256");
  let length = 0;
  const gunzip = createGunzip();
  gunzip.on("data", (chunk: Buffer) => uncompressedHash.update(chunk));
  const ended = new Promise((resolve, reject) => gunzip.once("end", resolve).once("error", reject));
  for await (const chunk of Readable.fromWeb(get.body as never) as AsyncIterable<Buffer>) {
    compressedHash.update(chunk);
    length += chunk.length;
    if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once("drain", resolve));
  }
  gunzip.end();
  await ended;
  return { digest: `sha256:${compressedHash.digest("hex")}`, diffID: `sha256:${uncompressedHash.digest("hex")}`, length };
}

describe("conformance in workerd", () => {
  for (const conformance of conformanceCases) {
    test(conformance.name, async () => {
      const response = await worker.fetch(`/case?name=${encodeURIComponent(conformance.name)}&registry=${registry.host}`, { method: "POST" });
      const answer = (await response.json()) as { ok: boolean; error?: string };
      assert.ok(answer.ok, answer.error);
    });
  }
});

describe("a Worker that turns a posted tarball into a layer", () => {
  test("hash-wasm cannot compile its WebAssembly in workerd; crypto.DigestStream hashes instead", async () => {
    const bytes = tarLikeBytes(300_000, 31);
    const response = await worker.fetch("/hash", { method: "POST", body: bytes });
    const answer = (await response.json()) as { sha256: string; wasmError: string; digestStreams: number };
    assert.match(answer.wasmError, /Wasm code generation disallowed by embedder/);
    assert.equal(answer.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.ok(answer.digestStreams > 0, "a DigestStream was created");
  });

  test("a tarball made by tar(1) and posted to the Worker lands in the registry", async () => {
    const tarball = execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(root, "examples/rootfs"), "."]);
    const answer = await postTarball("workerd/posted", tarball);
    assert.equal(answer.diffID, `sha256:${createHash("sha256").update(tarball).digest("hex")}`);
    assert.ok(answer.digestStreams >= 2, "the DiffID and the Digest were hashed with DigestStream");
    const stored = await checkBlob("workerd/posted", answer.descriptor.digest, answer.descriptor.size);
    assert.equal(stored.digest, answer.descriptor.digest);
    assert.equal(stored.diffID, answer.diffID, "the stored blob gunzips to the posted tarball");
  });

  test("a 320 MiB layer streams through the Worker within a Worker's memory", async () => {
    // A Worker may use 128 MiB. Two measures while the layer streams: the
    // isolate's heap and ArrayBuffers (from V8, through the inspector), and
    // the resident memory of the whole workerd process (from /proc), which
    // also sees buffers held natively, as workerd's own CompressionStream
    // holds a layer it is given faster than it is read (+314 MiB measured for
    // 320 MiB, against a plateau near 130 MiB with the pipeline used here).
    const total = 320 * MiB;
    const fresh = await startWorker(registry.host); // not the one the cases above have used
    after(() => fresh.stop());
    const expected = createHash("sha256");
    // Made ahead, so that the source is faster than the upload: a pipeline
    // without backpressure then shows by holding what it was given.
    const pieces = Array.from({ length: 8 }, (_, index) => withTarHeader(tarLikeBytes(MiB, 1000 + index)));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const chunk = pieces[(sent / MiB) % pieces.length]!.slice();
        expected.update(chunk);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    const baseline = fresh.residentBytes();
    let peakResident = baseline;
    let peakIsolate = 0;
    let isolateSamples = 0;
    const sample = async () => {
      peakResident = Math.max(peakResident, fresh.residentBytes());
      const isolate = await fresh.isolateBytes().catch(() => undefined);
      if (isolate === undefined) return;
      peakIsolate = Math.max(peakIsolate, isolate);
      isolateSamples++;
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    let answer: PushAnswer;
    try {
      answer = await postTarball("workerd/large", body, "", fresh);
    } finally {
      sampling = false;
      await sampler;
    }
    const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
    console.log(`streaming ${mib(total)}: isolate heap + ArrayBuffers at most ${mib(peakIsolate)} (${isolateSamples} samples); workerd resident ${mib(baseline)} before, at most ${mib(peakResident)}`);
    assert.equal(answer.diffID, `sha256:${expected.digest("hex")}`);
    const stored = await checkBlob("workerd/large", answer.descriptor.digest, answer.descriptor.size);
    assert.equal(stored.digest, answer.descriptor.digest);
    assert.equal(stored.diffID, answer.diffID);
    assert.ok(isolateSamples >= 3, `only ${isolateSamples} samples of the isolate's memory`);
    assert.ok(peakIsolate < 96 * MiB, `the isolate used ${mib(peakIsolate)}`);
    assert.ok(peakResident - baseline < 0.6 * total, `workerd grew by ${mib(peakResident - baseline)} for a ${mib(total)} layer`);
  });
});
