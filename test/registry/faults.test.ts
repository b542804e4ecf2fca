// Chunked and streamed uploads through a fault-injecting proxy in front of the
// real registries (docker-registry and go-containerregistry's): failures the
// upload must survive, and failures after which it must end with a typed
// error, the source cancelled and the session deleted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RegistryError, StreamLayer, UploadNotResumableError, writeLayer, type WriteLayerOptions } from "../../src/index.ts";
import { type FaultAction, type FaultProxy, type FaultRule, startFaultProxy } from "../support/fault_proxy.ts";
import { REGISTRY_KINDS, type RunningRegistry, startRegistry } from "../support/registry.ts";
import { assertLayerBlob, openUploads, randomData, recordingSource, type SourceStats } from "./_helpers.ts";

const MiB = 1024 * 1024;
// Larger than what a compressor reads ahead (parallel zlib takes about 5 MiB), so that a failure
// halfway can be seen to stop the source.
const input = randomData(16 * MiB + 123, 5);
const errorBody = (code: string) => JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] });

/** Fails the nth PATCH (1-based) with `action`, forwards the rest. */
const onPatch = (nth: number, action: FaultAction): FaultRule => (request) =>
  request.method === "PATCH" && request.nth === nth ? action : undefined;

interface Outcome {
  result: PromiseSettledResult<{ digest: string; size: number }>;
  stats: SourceStats;
}

async function push(proxy: FaultProxy, repository: string, options: WriteLayerOptions = {}): Promise<Outcome> {
  const { stream, stats } = recordingSource(input);
  const [result] = await Promise.allSettled([
    writeLayer(`${proxy.host}/${repository}`, new StreamLayer(stream, { requireTar: false }), { chunkSize: MiB, ...options }),
  ]);
  return { result: result!, stats };
}

/**
 * Checks that the client sent a DELETE for its upload session, on the newest
 * URL the registry gave, and, on docker-registry, that the registry no longer
 * knows the session. go-containerregistry's registry has no DELETE (nor status
 * GET) for sessions: it keeps the partial upload in memory until it stops.
 */
async function assertSessionGone(proxy: FaultProxy, registry: RunningRegistry, { cut = false } = {}): Promise<void> {
  const deleted = proxy.log.filter((entry) => entry.method === "DELETE" && entry.url.includes("/blobs/uploads/"));
  assert.equal(deleted.length, 1, "the session is deleted once");
  if (registry.kind !== "docker-registry") return;
  const response = await fetch(`${registry.url}${deleted[0]!.url}`);
  assert.equal(response.status, 404, "the registry no longer knows the session");
  // After a connection cut mid-PATCH the newest URL is lost, and docker-registry
  // refuses an older one: the partial upload stays until its upload purging (the README says so).
  if (cut) return;
  // A GET on an outdated URL answers 404 too, session or not: the storage says whether it is gone.
  const repository = /^\/v2\/(.+)\/blobs\/uploads\//.exec(deleted[0]!.url)![1]!;
  assert.deepEqual(openUploads(registry, repository), [], "no session left in the registry's storage");
}

/** Whether the client asked an upload's status (GET on an upload URL). */
function askedStatus(proxy: FaultProxy): boolean {
  return proxy.log.some((entry) => entry.method === "GET" && entry.url.includes("/blobs/uploads/"));
}

/** Fails a test that would pass with no fault at all, because the rule never matched. */
function assertFaultInjected(proxy: FaultProxy): void {
  assert.ok(proxy.log.some((entry) => entry.action !== "forward"), "the proxy injected the fault");
}

function statuses(proxy: FaultProxy): string[] {
  return proxy.log.map((entry) => `${entry.method} ${entry.status ?? "-"}`);
}

for (const kind of REGISTRY_KINDS) describe(`chunked upload through faults, ${kind}, anonymous`, () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  before(async () => {
    registry = await startRegistry({ kind });
    proxy = await startFaultProxy(registry.url);
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });

  const expectWhole = async (repository: string, rule: FaultRule) => {
    proxy.setRule(rule);
    proxy.log.length = 0;
    const { result, stats } = await push(proxy, repository);
    if (result.status === "rejected") throw result.reason;
    assertFaultInjected(proxy);
    assert.equal(stats.pulled, input.byteLength, "the source is read once");
    assert.equal(stats.cancelled, false);
    await assertLayerBlob(registry, repository, result.value.digest, result.value.size, input);
    assert.deepEqual(openUploads(registry, repository), []);
    return statuses(proxy);
  };

  const expectTypedEnd = async (repository: string, rule: FaultRule, cutsConnection = false) => {
    proxy.setRule(rule);
    proxy.log.length = 0;
    const { result, stats } = await push(proxy, repository);
    assertFaultInjected(proxy);
    if (result.status === "fulfilled") {
      // The registry kept the session: then the blob must be whole.
      await assertLayerBlob(registry, repository, result.value.digest, result.value.size, input);
      return undefined;
    }
    assert.ok(result.reason instanceof UploadNotResumableError, `typed error, got ${String(result.reason)}`);
    assert.match(result.reason.message, /read-once stream cannot be replayed/);
    assert.ok(stats.cancelled, "the source is cancelled");
    assert.ok(stats.pulled < input.byteLength, "the source is not read after the failure");
    await assertSessionGone(proxy, registry, { cut: cutsConnection });
    return result.reason;
  };

  for (const [status, code] of [[500, "UNKNOWN"], [503, "UNAVAILABLE"], [429, "TOOMANYREQUESTS"]] as const) {
    test(`a ${status} on a PATCH: the same chunk again at the same offset, no status question`, async () => {
      const log = await expectWhole(`fault/${status}`, onPatch(2, { kind: "respond", status, headers: { "retry-after": "1" }, body: errorBody(code) }));
      assert.ok(log.includes(`PATCH ${status}`));
      assert.equal(askedStatus(proxy), false, "a definite refusal needs no status question");
    });
  }

  test("a 503 on the /v2/ ping: asked again, then the push goes through", async () => {
    const rule: FaultRule = (request) =>
      request.method === "GET" && request.url === "/v2/" && request.nth === 1 ? { kind: "respond", status: 503, body: errorBody("UNAVAILABLE") } : undefined;
    const log = await expectWhole("fault/ping-503", rule);
    assert.deepEqual(log.slice(0, 2), ["GET 503", "GET 200"]);
  });

  test("a 429 with Retry-After: 999999 on every PATCH: gives up at once rather than wait for ever", async () => {
    proxy.setRule((request) => (request.method === "PATCH" ? { kind: "respond", status: 429, headers: { "retry-after": "999999" }, body: errorBody("TOOMANYREQUESTS") } : undefined));
    proxy.log.length = 0;
    const { result, stats } = await push(proxy, "fault/retry-after");
    assert.equal(result.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason as RegistryError;
    assert.ok(reason instanceof RegistryError && reason.status === 429 && reason.temporary, String(reason));
    assert.deepEqual(statuses(proxy).filter((s) => s.startsWith("PATCH")), ["PATCH 429"], "no wait asked for longer than the whole budget");
    assert.ok(stats.cancelled);
    await assertSessionGone(proxy, registry);
  });

  if (kind === "docker-registry") {
    test("a 416 on a PATCH: resumes from the registry's Range", async () => {
      const log = await expectWhole("fault/416", onPatch(2, { kind: "respond", status: 416, body: errorBody("RANGE_INVALID") }));
      assert.ok(log.includes("PATCH 416"));
      assert.ok(log.includes("GET 204"), "asked the upload's status");
    });

    test("a 416 on a PATCH, then a 503 on the status question: sends again, and the registry takes it", async () => {
      let statusAsked = 0;
      const log = await expectWhole("fault/status-503", (request) => {
        if (request.method === "PATCH" && request.nth === 2) return { kind: "respond", status: 416, body: errorBody("RANGE_INVALID") };
        if (request.method === "GET" && request.url.includes("/blobs/uploads/") && ++statusAsked === 1) {
          return { kind: "respond", status: 503, body: errorBody("UNAVAILABLE") };
        }
        return undefined;
      });
      assert.ok(log.includes("PATCH 416") && log.includes("GET 503"));
    });
  } else {
    test("a 416 on a PATCH where the registry has no status endpoint: a typed error", async () => {
      const error = await expectTypedEnd("fault/416", onPatch(2, { kind: "respond", status: 416, body: errorBody("BLOB_UPLOAD_UNKNOWN") }));
      assert.ok(error instanceof UploadNotResumableError);
      assert.match(error.message, /no upload-status endpoint/);
    });
  }

  test("a slow registry", async () => {
    await expectWhole("fault/slow", (request) => (request.method === "PATCH" || request.method === "PUT" ? { kind: "delay", ms: 150 } : undefined));
  });

  test("a connection reset in the middle of a PATCH: whole blob or a typed error", async () => {
    await expectTypedEnd("fault/reset", onPatch(2, { kind: "reset-mid-body", after: 100 * 1024 }), true);
  });

  test("a PATCH cut as distribution v3 answers it (the bytes kept, Range reporting them): resumed from there, the blob whole", async () => {
    const log = await expectWhole("fault/v3-resume", onPatch(2, { kind: "cut-patch-v3", after: 300 * 1024 }));
    assert.ok(log.includes("GET 204"), `the status was asked and told the bytes held: ${log.join(", ")}`);
    const after = log.slice(log.indexOf("GET 204") + 1);
    assert.equal(after[0], "PATCH 202", "the next PATCH sends the rest of the chunk and is taken");
  });

  test("a PATCH cut as v3 answers it, then refused for good: typed, and the DELETE on the older URL answered 416 as v3 does", async () => {
    proxy.log.length = 0;
    proxy.setRule((request) => {
      if (request.method !== "PATCH") return undefined;
      if (request.nth === 2) return { kind: "cut-patch-v3", after: 300 * 1024 };
      if (request.nth > 2) return { kind: "respond", status: 400, body: errorBody("BLOB_UPLOAD_INVALID") };
      return undefined;
    });
    const { result, stats } = await push(proxy, "fault/v3-refused");
    assert.equal(result.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason as unknown;
    assert.ok(reason instanceof RegistryError && reason.status === 400, String(reason));
    assert.ok(stats.cancelled, "the source is cancelled");
    const deleted = proxy.log.filter((entry) => entry.method === "DELETE");
    assert.equal(deleted.length, 1, "one DELETE, on the URL the client holds");
    // docker-registry's upload URLs carry the session's state: the client's is older than the bytes the registry kept,
    // and v3 answers 416. go-containerregistry's URL never changes: the DELETE reaches it (it has no DELETE for uploads).
    if (registry.kind === "docker-registry") assert.equal(deleted[0]!.status, 416);
    else assert.notEqual(deleted[0]!.status, 416);
  });

  test("a response lost after the registry took the chunk: whole blob or a typed error", async () => {
    await expectTypedEnd("fault/lost", onPatch(2, { kind: "drop-response" }), true);
  });

  test("a 404 BLOB_UPLOAD_UNKNOWN: a typed error", async () => {
    const error = await expectTypedEnd("fault/unknown", onPatch(2, { kind: "respond", status: 404, body: errorBody("BLOB_UPLOAD_UNKNOWN") }));
    assert.ok(error instanceof UploadNotResumableError);
    assert.ok(error.cause instanceof RegistryError && error.cause.codes.includes("BLOB_UPLOAD_UNKNOWN"));
  });

  test("a registry that keeps failing: gives up with its error after a bounded number of attempts", async () => {
    proxy.setRule((request) => (request.method === "PATCH" && request.nth >= 2 ? { kind: "respond", status: 503, body: errorBody("UNAVAILABLE") } : undefined));
    proxy.log.length = 0;
    const { result, stats } = await push(proxy, "fault/down");
    assert.equal(result.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason as RegistryError;
    assert.ok(reason instanceof RegistryError);
    assert.equal(reason.status, 503);
    assert.equal(reason.temporary, true);
    assert.deepEqual(reason.codes, ["UNAVAILABLE"]);
    assert.equal(statuses(proxy).filter((s) => s === "PATCH 503").length, 5);
    assert.ok(stats.cancelled);
    assert.ok(stats.pulled < input.byteLength);
    await assertSessionGone(proxy, registry);
  });

  test("abort in the middle: the request stops, the source is cancelled, the session deleted", async () => {
    const controller = new AbortController();
    proxy.setRule((request) => {
      if (request.method === "PATCH" && request.nth === 3) {
        controller.abort(new DOMException("stop", "AbortError"));
        return { kind: "delay", ms: 2000 };
      }
      return undefined;
    });
    proxy.log.length = 0;
    const { result, stats } = await push(proxy, "fault/abort", { signal: controller.signal });
    assert.equal(result.status, "rejected");
    assert.equal(((result as PromiseRejectedResult).reason as DOMException).name, "AbortError");
    assert.ok(stats.cancelled);
    assert.ok(stats.pulled < input.byteLength);
    await assertSessionGone(proxy, registry);
  });

  for (const upload of ["chunked", "stream"] as const) {
    test(`${upload}: abort while the source is silent: the upload ends, the source is cancelled, the session deleted`, { timeout: 20_000 }, async () => {
      const controller = new AbortController();
      let cancelled = false;
      let pulls = 0;
      // 2 MiB (so that the registry has written some of a streamed PATCH), then a
      // source that never answers again: only the abort can end the upload.
      const silent = new ReadableStream<Uint8Array>({
        pull(stream) {
          if (++pulls <= 32) {
            stream.enqueue(input.subarray((pulls - 1) * 64 * 1024, pulls * 64 * 1024));
            return;
          }
          controller.abort(new DOMException("stop", "AbortError"));
          return new Promise<void>(() => {});
        },
        cancel() {
          cancelled = true;
        },
      }, { highWaterMark: 0 });
      proxy.setRule(() => undefined);
      proxy.log.length = 0;
      const [result] = await Promise.allSettled([
        writeLayer(`${proxy.host}/fault/silent-${upload}`, new StreamLayer(silent, { requireTar: false }), { upload, chunkSize: MiB, signal: controller.signal }),
      ]);
      assert.equal(result!.status, "rejected");
      assert.equal(((result as PromiseRejectedResult).reason as DOMException).name, "AbortError");
      assert.ok(cancelled, "the source is cancelled");
      await assertSessionGone(proxy, registry);
    });
  }

  test("streamed mode: one failure ends the upload with a typed error", async () => {
    proxy.setRule(onPatch(1, { kind: "reset-mid-body", after: MiB }));
    proxy.log.length = 0;
    const { result, stats } = await push(proxy, "fault/stream", { upload: "stream" });
    assert.equal(result.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason as UploadNotResumableError;
    assert.ok(reason instanceof UploadNotResumableError);
    assert.match(reason.message, /streamed upload/);
    assert.ok(stats.cancelled);
    assert.ok(stats.pulled < input.byteLength);
    await assertSessionGone(proxy, registry, { cut: true });
  });
});

describe("chunked upload through faults, token auth", () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  before(async () => {
    registry = await startRegistry({ auth: "token" });
    proxy = await startFaultProxy(registry.url);
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });

  test("a token that expires in the middle of the upload: a new token, the same chunk again", async () => {
    const repository = "fault/expired";
    const expired = registry.tokenServer!.sign(repository, -3600);
    proxy.setRule(onPatch(3, { kind: "rewrite", headers: { authorization: `Bearer ${expired}` } }));
    const issuedBefore = registry.tokenServer!.issued;
    const { result, stats } = await push(proxy, repository, { auth: registry.credentials });
    if (result.status === "rejected") throw result.reason;
    assert.ok(statuses(proxy).includes("PATCH 401"), "the registry itself refused the expired token");
    assert.equal(registry.tokenServer!.issued, issuedBefore + 2, "one token at the start, one after the 401");
    assert.equal(stats.pulled, input.byteLength);
    await assertLayerBlob(registry, repository, result.value.digest, result.value.size, input);
  });
});
