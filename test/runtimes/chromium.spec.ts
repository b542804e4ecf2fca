// The conformance suite in Chromium, and what only a browser shows: a File
// from an <input type=file> pushed as an image in chunked mode, the same in a
// Web Worker. The page comes from a local server on 127.0.0.1 (a secure
// context, so WebCrypto is there) that also passes /v2/ on to the real
// registry; it speaks HTTP/1.1, over which Chromium cannot stream a request
// body, so the suite expects `upload: 'stream'` to fail with a typed error.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expect, test, type Page } from "@playwright/test";
import { conformanceCases } from "../conformance/cases.ts";
import { tarLikeBytes } from "../support/bytes.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";
import type { StreamlayerTestApi } from "./chromium/page.ts";
import { startPageServer, type PageServer } from "./chromium/server.ts";
import { fetchCheckedBlob } from "../support/blob_check.ts";

declare const streamlayerTest: StreamlayerTestApi;

// Default mode: after a failure Playwright starts a new worker, and beforeAll a new page, so one failing case does not hide the rest.

let registry: RunningRegistry;
let server: PageServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  registry = await startRegistry();
  server = await startPageServer(registry.url);
  page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => "streamlayerTest" in globalThis);
});

test.afterAll(async () => {
  await page?.close();
  await server?.stop();
  await registry?.stop();
});

for (const conformance of conformanceCases) {
  test(conformance.name, async () => {
    const result = await page.evaluate(([name, host]) => streamlayerTest.runCase(name, host), [conformance.name, server.host] as const);
    expect(result.error ?? "", "the case's failure").toBe("");
    expect(result.ok).toBe(true);
  });
}

/** A real tarball: the example folder by tar(1), then 3 MiB of mixed bytes so that the push takes several chunks. */
function tarball(): Buffer {
  const folder = execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(import.meta.dirname, "../../examples/rootfs"), "."]);
  return Buffer.concat([folder.subarray(0, folder.length - 1024), Buffer.from(tarLikeBytes(3 * 1024 * 1024, 77))]);
}

async function checkPushed(repository: string, manifestDigest: string, layer: { digest: string; diffID: string; size: number }, bytes: Buffer): Promise<void> {
  const accept = "application/vnd.oci.image.manifest.v1+json";
  const manifestResponse = await fetch(`${registry.url}/v2/${repository}/manifests/latest`, { headers: { accept } });
  expect(manifestResponse.status).toBe(200);
  const manifestBytes = Buffer.from(await manifestResponse.arrayBuffer());
  expect(sha256(manifestBytes)).toBe(manifestDigest);
  const manifest = JSON.parse(manifestBytes.toString()) as { layers: { digest: string; size: number }[]; config: { digest: string } };
  expect(manifest.layers.map((entry) => entry.digest)).toEqual([layer.digest]);
  const blob = Buffer.from((await fetchCheckedBlob(registry.url, repository, layer.digest, layer.size)).bytes);
  expect(gunzipSync(blob).equals(bytes), "the stored layer gunzips to the chosen file").toBe(true);
  expect(layer.diffID).toBe(sha256(bytes));
  const config = JSON.parse(Buffer.from(await (await fetch(`${registry.url}/v2/${repository}/blobs/${manifest.config.digest}`)).arrayBuffer()).toString()) as { rootfs: { diff_ids: string[] } };
  expect(config.rootfs.diff_ids).toEqual([layer.diffID]);
}

test("a File from <input type=file> is pushed as an image in chunked mode", async () => {
  const bytes = tarball();
  await page.setInputFiles("#tarball", { name: "layer.tar", mimeType: "application/x-tar", buffer: bytes });
  const reference = `${server.host}/chromium/file`;
  const result = await page.evaluate(([ref]) => streamlayerTest.pushChosenFile(ref, 1024 * 1024), [reference] as const);
  expect(result.fileName).toBe("layer.tar");
  expect(result.fileSize).toBe(bytes.length);
  await checkPushed("chromium/file", result.manifestDigest, result.layer, bytes);
});

test("a Web Worker pushes the File while the page's main thread keeps running", async () => {
  const bytes = tarball();
  await page.setInputFiles("#tarball", { name: "worker.tar", mimeType: "application/x-tar", buffer: bytes });
  const reference = `${server.host}/chromium/worker`;
  const result = await page.evaluate(([ref]) => streamlayerTest.pushChosenFileInWorker(ref, 1024 * 1024), [reference] as const);
  expect(result.error ?? "").toBe("");
  expect(result.inWorker, "the pipeline ran in a worker, without a document").toBe(true);
  expect(result.mainThreadTurns, "the main thread ran while the worker pushed").toBeGreaterThan(1);
  await checkPushed("chromium/worker", result.manifestDigest!, result.layer!, bytes);
});
