// streamlayer/worker in Chromium: a page on one origin pushes with
// pushInWorker to docker-registry on another (CORS headers from the registry's
// own `http.headers`, as chromium_cross_origin.spec.ts sets them). The page's
// bundle loads the worker as a file beside it, as a bundler user's page does.
// What landed is checked from outside: the registry's HEAD and GET, Node's
// SHA-256, gunzip; a push on the page's own thread is compared by outcome only.
import { gunzipSync, gzipSync } from "node:zlib";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { openUploads } from "../registry/_helpers.ts";
import { fetchCheckedBlob } from "../support/blob_check.ts";
import { tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { startRegistry, type RunningRegistry, type StartRegistryOptions } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";
import { browserBundle, serveFiles, type FileServer, type ServedFile } from "../compress/_served_files.ts";
import { CORS, CORS_ALLOW } from "./chromium/cors_headers.ts";
import { startPreflightFront } from "./chromium/cross_origin_servers.ts";
import type { DescribedError, PageOptions, PushOutcome, SourceKind, WorkerPushTestApi } from "./chromium/worker_push_page.ts";

declare const workerPushTest: WorkerPushTestApi;

const MiB = 1024 * 1024;

let files: Record<string, ServedFile>;
let registry: RunningRegistry;
const stops: (() => Promise<void>)[] = [];

test.beforeAll(async () => {
  const [page, worker] = await Promise.all([browserBundle("test/runtimes/chromium/worker_push_page.ts"), browserBundle("src/worker/_push_worker.ts")]);
  files = {
    "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><input type="file" id="tarball"><script type="module" src="/page.js"></script>` },
    "/page.js": { type: "text/javascript", body: page },
    "/_push_worker.js": { type: "text/javascript", body: worker },
  };
  registry = await registryWith({ httpHeaders: CORS });
});

test.afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function registryWith(options: StartRegistryOptions): Promise<RunningRegistry> {
  const started = await startRegistry(options);
  stops.push(() => started.stop());
  return started;
}

/** A page on its own origin, served with `headers` (a Content-Security-Policy), without the worker file if `withoutWorker`. */
async function openPage(browser: Browser, options: { headers?: Record<string, string>; withoutWorker?: boolean } = {}): Promise<Page> {
  const served: Record<string, ServedFile> = { ...files, "/": { ...files["/"]!, headers: options.headers ?? {} } };
  if (options.withoutWorker) delete served["/_push_worker.js"];
  const server: FileServer = await serveFiles(served);
  stops.push(() => server.stop());
  const page = await browser.newPage();
  stops.push(() => page.close());
  await page.goto(server.url);
  await page.waitForFunction(() => "workerPushTest" in globalThis);
  expect(new URL(server.url).origin, "the page and the registry are on two origins").not.toBe(registry.url);
  return page;
}

/** A real tar of 3 MiB and a few bytes: several chunks of 1 MiB. */
function tarball(seed: number): Buffer {
  return Buffer.from(withTarHeader(tarLikeBytes(3 * MiB + 5 * 512, seed)));
}

async function push(page: Page, reference: string, bytes: Buffer, kind: SourceKind, options: PageOptions = {}): Promise<PushOutcome> {
  await page.setInputFiles("#tarball", { name: "layer.tar", mimeType: "application/x-tar", buffer: bytes });
  return page.evaluate(([ref, source, opts]) => workerPushTest.push(ref, source, opts), [reference, kind, { chunkSize: MiB, ...options }] as const);
}

function pushed(outcome: PushOutcome) {
  if (!outcome.ok) throw new Error(`the push failed: ${outcome.error.name}: ${outcome.error.message}`);
  return outcome.result;
}

function failed(outcome: PushOutcome): DescribedError {
  if (outcome.ok) throw new Error(`the push landed (${outcome.result.reference}) where it should have failed`);
  return outcome.error;
}

/** What the registry holds for `repository`: the manifest by the result's digest, the layer's blob, the config's DiffID. */
async function checkLanded(target: RunningRegistry, repository: string, result: ReturnType<typeof pushed>, tar: Buffer, stored: Buffer = tar): Promise<void> {
  expect(result.reference).toBe(`${target.host}/${repository}@${result.descriptor.digest}`);
  const manifestBytes = Buffer.from(await (await fetch(`${target.url}/v2/${repository}/manifests/${result.descriptor.digest}`, { headers: { accept: result.descriptor.mediaType } })).arrayBuffer());
  expect(sha256(manifestBytes), "the manifest's SHA-256").toBe(result.descriptor.digest);
  const manifest = JSON.parse(manifestBytes.toString()) as { layers: { digest: string; size: number; mediaType: string }[]; config: { digest: string } };
  expect(manifest.layers).toEqual([{ mediaType: result.layer.mediaType, digest: result.layer.digest, size: result.layer.size }]);
  const blob = Buffer.from((await fetchCheckedBlob(target.url, repository, result.layer.digest, result.layer.size)).bytes);
  expect(sha256(blob), "the layer's digest is the SHA-256 of the stored blob").toBe(result.layer.digest);
  if (stored !== tar) expect(blob.equals(stored), "a .tar.gz is stored as it is").toBe(true);
  expect(gunzipSync(blob).equals(tar), "the blob gunzips to the tar").toBe(true);
  expect(result.layer.diffID, "the DiffID is the SHA-256 of the tar").toBe(sha256(tar));
  const configBytes = Buffer.from(await (await fetch(`${target.url}/v2/${repository}/blobs/${manifest.config.digest}`)).arrayBuffer());
  expect(sha256(configBytes)).toBe(manifest.config.digest);
  const config = JSON.parse(configBytes.toString()) as { rootfs: { diff_ids: string[] } };
  expect(config.rootfs.diff_ids).toEqual([result.layer.diffID]);
}

/** The phases in order, each once after the layer's: layer…, config, manifest, done. */
function phasesOf(outcome: PushOutcome): string[] {
  return outcome.progress.map((p) => p.phase).filter((phase, i, all) => phase !== all[i - 1]);
}

test("a File is pushed in a module worker; the same File pushed on the page's thread gives the same layer and image", async ({ browser }) => {
  const page = await openPage(browser);
  const tar = tarball(1);
  const inWorker = pushed(await push(page, `${registry.host}/worker/file:1`, tar, "file", { layer: { deterministic: true } }));
  expect(inWorker.thread).toBe("worker");
  await checkLanded(registry, "worker/file", inWorker, tar);

  const onPage = pushed(await push(page, `${registry.host}/worker/file-on-page:1`, tar, "file", { layer: { deterministic: true }, thread: "this-thread" }));
  expect(onPage.thread).toBe("this-thread");
  await checkLanded(registry, "worker/file-on-page", onPage, tar);
  expect(onPage.layer, "a deterministic layer: the same bytes on either thread").toEqual(inWorker.layer);
  expect(onPage.descriptor).toEqual(inWorker.descriptor);
});

test("a stream of the page's own is transferred to the worker and pushed; progress comes by phase, done last", async ({ browser }) => {
  const page = await openPage(browser);
  const tar = tarball(2);
  const outcome = await push(page, `${registry.host}/worker/stream:1`, tar, "stream");
  const result = pushed(outcome);
  expect(result.thread).toBe("worker");
  await checkLanded(registry, "worker/stream", result, tar);

  expect(phasesOf(outcome)).toEqual(["layer", "config", "manifest", "done"]);
  expect(outcome.progress.filter((p) => p.phase === "done"), "done once").toHaveLength(1);
  const done = outcome.progress.at(-1)!;
  expect(done).toEqual({ phase: "done", read: tar.length, compressed: result.layer.size, acknowledged: result.layer.size, total: result.layer.size, sourceSize: undefined });
  const acknowledged = outcome.progress.map((p) => p.acknowledged);
  expect(acknowledged, "acknowledged bytes never go back").toEqual([...acknowledged].sort((a, b) => a - b));
  expect(outcome.progress.some((p) => p.phase === "layer" && p.acknowledged > 0 && p.acknowledged < result.layer.size), "progress within the layer").toBe(true);
});

test("a .tar.gz File goes as it is, and a File's size is reported as the source's", async ({ browser }) => {
  const page = await openPage(browser);
  const tar = tarball(3);
  const tgz = gzipSync(tar);
  const outcome = await push(page, `${registry.host}/worker/tgz:1`, tgz, "file");
  const result = pushed(outcome);
  expect(result.thread).toBe("worker");
  expect(result.layer.digest).toBe(sha256(tgz));
  await checkLanded(registry, "worker/tgz", result, tar, tgz);
  expect(new Set(outcome.progress.map((p) => p.sourceSize))).toEqual(new Set([tgz.length]));
});

test("abort mid-push: the promise rejects with the signal's reason, the upload session is deleted, the page's stream is cancelled", async ({ browser }) => {
  const page = await openPage(browser);
  // Several chunks' worth once compressed, whatever the compressor holds back, then the source goes quiet.
  const tar = Buffer.from(withTarHeader(tarLikeBytes(8 * MiB, 4)));
  await page.setInputFiles("#tarball", { name: "layer.tar", mimeType: "application/x-tar", buffer: tar });
  const outcome = await page.evaluate(([ref]) => workerPushTest.pushAndAbort(ref, 8 * 1024 * 1024, { chunkSize: 1024 * 1024 }), [`${registry.host}/worker/abort:1`] as const);
  expect(outcome.acknowledgedBeforeAbort, "the registry held part of the layer when the push was aborted").toBeGreaterThan(0);
  expect(outcome.rejected).toBe(true);
  expect(outcome.withTheReason, `rejected with the reason given to abort(), got ${outcome.error?.name}: ${outcome.error?.message}`).toBe(true);
  expect(openUploads(registry, "worker/abort"), "no upload session left in docker-registry's storage").toEqual([]);
  expect(outcome.sourceCancelled, "the page's stream was cancelled").toBe(true);
  const tags = await fetch(`${registry.url}/v2/worker/abort/manifests/1`, { method: "HEAD" });
  expect(tags.status, "no manifest was written").toBe(404);
});

test("a registry's 404 arrives as a RegistryError, a refused login as an AuthError with status 401, a refused request's TypeError as its cause", async ({ browser }) => {
  const page = await openPage(browser);
  const tar = tarball(5);

  const missingBase = failed(await push(page, `${registry.host}/worker/errors:1`, tar, "file", { base: `${registry.host}/worker/no-such-base:1` }));
  expect(missingBase).toMatchObject({ name: "RegistryError", code: "REGISTRY_ERROR", status: 404, method: "GET", codes: ["MANIFEST_UNKNOWN"], temporary: false });
  expect(missingBase.instanceOf).toEqual(["StreamLayerError", "RegistryError", "Error"]);
  expect(missingBase.url).toBe(`${registry.url}/v2/worker/no-such-base/manifests/1`);

  // docker-registry asks a preflight for credentials: a front answers OPTIONS, as nginx would.
  const guarded = await registryWith({ auth: "basic", httpHeaders: CORS });
  const front = await startPreflightFront(guarded.url, CORS_ALLOW);
  stops.push(() => front.stop());
  const refused = failed(await push(page, `${front.host}/worker/errors:1`, tar, "file", { auth: { username: guarded.credentials!.username, password: "wrong" } }));
  expect(refused).toMatchObject({ name: "AuthError", code: "AUTH", status: 401, temporary: false });
  expect(refused.instanceOf).toEqual(["StreamLayerError", "RegistryError", "AuthError", "Error"]);

  // No CORS at all: the browser hides the answer, fetch throws a TypeError.
  const closed = await registryWith({});
  const inWorker = failed(await push(page, `${closed.host}/worker/errors:1`, tar, "file"));
  const onPage = failed(await push(page, `${closed.host}/worker/errors:1`, tar, "file", { thread: "this-thread" }));
  for (const error of [inWorker, onPage]) {
    expect(error).toMatchObject({ name: "RegistryError", code: "REGISTRY_ERROR", status: undefined, temporary: true });
    expect(error.message).toMatch(/no response: .*most likely CORS/);
    expect(error.cause).toMatchObject({ name: "TypeError", isTypeError: true });
  }
  expect(inWorker.message, "the same message on either thread").toBe(onPage.message);
  expect(inWorker.cause).toEqual(onPage.cause);
});

test("Content-Security-Policy worker-src 'none': the push runs on the page's thread with the same result; thread \"worker\" refuses", async ({ browser }) => {
  const tar = tarball(6);
  const allowed = await openPage(browser);
  const inWorker = pushed(await push(allowed, `${registry.host}/worker/csp-reference:1`, tar, "file", { layer: { deterministic: true } }));
  expect(inWorker.thread).toBe("worker");

  const forbidding = await openPage(browser, { headers: { "content-security-policy": "worker-src 'none'" } });
  const onPage = pushed(await push(forbidding, `${registry.host}/worker/csp:1`, tar, "file", { layer: { deterministic: true } }));
  expect(onPage.thread).toBe("this-thread");
  expect(await forbidding.evaluate(() => workerPushTest.violations())).toContain("worker-src");
  await checkLanded(registry, "worker/csp", onPage, tar);
  expect(onPage.layer).toEqual(inWorker.layer);
  expect(onPage.descriptor).toEqual(inWorker.descriptor);

  const insisting = failed(await push(forbidding, `${registry.host}/worker/csp:2`, tar, "file", { thread: "worker" }));
  expect(insisting).toMatchObject({ name: "WorkerUnavailableError", code: "WORKER_UNAVAILABLE" });
  expect(insisting.instanceOf).toContain("WorkerUnavailableError");
});

test("a worker file that does not load: the push runs on the page's thread", async ({ browser }) => {
  const page = await openPage(browser, { withoutWorker: true });
  const tar = tarball(7);
  const result = pushed(await push(page, `${registry.host}/worker/no-file:1`, tar, "stream"));
  expect(result.thread).toBe("this-thread");
  await checkLanded(registry, "worker/no-file", result, tar);
});
