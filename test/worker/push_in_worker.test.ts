// pushInWorker where Node runs it: Node 20 has no Web Worker global, so
// "auto" pushes on this thread and "worker" refuses. The same push code runs
// in the worker in browsers and Deno (test/runtimes/chromium_worker_push.spec.ts,
// test/runtimes/deno/worker_push_test.ts). And the stream handed over a
// MessagePort, where a runtime cannot transfer streams.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { appendLayers, emptyImage, InvalidLayerSourceError, StreamLayer, writeImage } from "../../src/index.ts";
import { pushInWorker, WorkerUnavailableError, type PushProgress } from "../../src/worker/index.ts";
import { receiveStream, serveStream } from "../../src/worker/_stream_port.ts";
import { openUploads } from "../registry/_helpers.ts";
import { fetchCheckedBlob } from "../support/blob_check.ts";
import { collect, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";

const MiB = 1024 * 1024;
const tar = (length: number, seed: number) => withTarHeader(tarLikeBytes(length, seed));

describe("pushInWorker in Node", () => {
  let registry: RunningRegistry;
  before(async () => (registry = await startRegistry()));
  after(async () => registry?.stop());

  test("auto: no Worker here, so the push runs on this thread; progress by phase; what lands is the tar's", async () => {
    const bytes = tar(2 * MiB + 512, 1);
    const progress: PushProgress[] = [];
    const result = await pushInWorker(`${registry.host}/node/auto:1`, new Blob([bytes]), { chunkSize: MiB, onProgress: (p) => progress.push(p) });
    assert.equal(result.thread, "this-thread");
    assert.equal(result.reference, `${registry.host}/node/auto@${result.descriptor.digest}`);
    assert.equal(result.layer.diffID, sha256(bytes));
    const blob = (await fetchCheckedBlob(registry.url, "node/auto", result.layer.digest, result.layer.size)).bytes;
    assert.deepEqual(new Uint8Array(gunzipSync(blob)), bytes);
    const phases = progress.map((p) => p.phase).filter((phase, i, all) => phase !== all[i - 1]);
    assert.deepEqual(phases, ["layer", "config", "manifest", "done"]);
    assert.deepEqual(progress.at(-1), { phase: "done", read: bytes.length, compressed: result.layer.size, acknowledged: result.layer.size, total: result.layer.size, sourceSize: bytes.length });
  });

  test("a .tar.gz stream goes as it is; a base image's layers come first", async () => {
    const base = new StreamLayer(new Blob([tar(4096, 2)]).stream());
    await writeImage(`${registry.host}/node/base:1`, appendLayers(emptyImage(), base));
    const bytes = tar(64 * 1024, 3);
    const tgz = gzipSync(bytes);
    const result = await pushInWorker(`${registry.host}/node/on-base:1`, new Blob([tgz]).stream(), { base: `${registry.host}/node/base:1` });
    assert.equal(result.layer.digest, sha256(tgz));
    assert.equal(result.layer.diffID, sha256(bytes));
    const manifest = (await (await fetch(`${registry.url}/v2/node/on-base/manifests/1`, { headers: { accept: result.descriptor.mediaType } })).json()) as { layers: { digest: string }[] };
    assert.deepEqual(manifest.layers.map((layer) => layer.digest), [await base.digest(), result.layer.digest]);
  });

  test("thread \"worker\" refuses where there is no Worker, before reading anything", async () => {
    const stream = new Blob([tar(1024, 4)]).stream();
    await assert.rejects(pushInWorker(`${registry.host}/node/worker:1`, stream, { thread: "worker" }), (error) => error instanceof WorkerUnavailableError && error.code === "WORKER_UNAVAILABLE");
    assert.equal(stream.locked, false, "the source was not touched");
  });

  test("what cannot cross to a worker is refused with a TypeError; a source that is no tar with the layer's error", async () => {
    const source = new Blob([tar(1024, 5)]);
    const compressor = () => new CompressionStream("gzip");
    await assert.rejects(pushInWorker(`${registry.host}/node/bad:1`, source, { layer: { compressor } as never }), TypeError);
    await assert.rejects(pushInWorker(`${registry.host}/node/bad:1`, "a path" as never), TypeError);
    await assert.rejects(pushInWorker(`${registry.host}/node/bad:1`, source, { thread: "elsewhere" as never }), TypeError);
    await assert.rejects(pushInWorker(`${registry.host}/node/bad:1`, new Blob(["not a tar, not at all".repeat(40)])), (error) => error instanceof InvalidLayerSourceError && error.found === "not-tar");
  });

  test("abort mid-push: rejects with the signal's reason, the upload session is deleted", async () => {
    const bytes = tar(8 * MiB, 6); // several chunks' worth compressed, whatever the compressor holds back
    let offset = 0;
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return new Promise<void>(() => {}); // a source gone quiet
        controller.enqueue(bytes.slice(offset, (offset += 256 * 1024)));
      },
      cancel: () => void (cancelled = true),
    }, { highWaterMark: 0 });
    const controller = new AbortController();
    const reason = new Error("cancelled by the user");
    const push = pushInWorker(`${registry.host}/node/abort:1`, source, {
      chunkSize: MiB,
      signal: controller.signal,
      onProgress: (p) => p.acknowledged > 0 && controller.abort(reason),
    });
    await assert.rejects(push, (error) => error === reason);
    assert.deepEqual(openUploads(registry, "node/abort"), []);
    assert.equal(cancelled, true);
  });
});

describe("a stream served over a MessagePort", () => {
  test("the same bytes, one chunk asked for at a time", async () => {
    const bytes = tarLikeBytes(300_000, 7);
    let pulls = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        const start = pulls++ * 7000;
        if (start >= bytes.length) controller.close();
        else controller.enqueue(bytes.subarray(start, start + 7000));
      },
    }, { highWaterMark: 0 });
    const channel = new MessageChannel();
    serveStream(source, channel.port1);
    const received = receiveStream(channel.port2);
    const reader = received.getReader();
    const first = await reader.read();
    assert.equal(first.value?.length, 7000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(pulls, 1, "nothing is read ahead of the receiver");
    reader.releaseLock();
    const rest = await collect(received);
    assert.deepEqual(new Uint8Array([...first.value!, ...rest]), bytes);
  });

  test("a cancel reaches the source; the source's error arrives as its class", async () => {
    let cancelledWith: unknown;
    const channel = new MessageChannel();
    serveStream(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(10)), cancel: (reason) => void (cancelledWith = reason) }), channel.port1);
    const received = receiveStream(channel.port2);
    await received.getReader().cancel("enough");
    for (let i = 0; i < 100 && cancelledWith === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(cancelledWith, "enough");

    const failing = new MessageChannel();
    serveStream(new ReadableStream({ pull: (c) => c.error(new InvalidLayerSourceError("zstd", "zstd data")) }), failing.port1);
    await assert.rejects(collect(receiveStream(failing.port2)), (error) => error instanceof InvalidLayerSourceError && error.found === "zstd");
  });
});
