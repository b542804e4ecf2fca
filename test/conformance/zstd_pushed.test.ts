// zstd images pushed from each of the four runtimes to both real registries
// (Debian's docker-registry and go-containerregistry's), judged by tools that
// are not ours: the same zstd image is pushed from Node, Deno, workerd and
// Chromium (each its own chunking and its own way of loading zstd.wasm);
// skopeo copies each into an OCI layout (verifying every blob against its
// digest) and reads its config; `zstd -d` of each layer blob as skopeo stored
// it is the tar. The four pushes must name the same layer digest and DiffID.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import * as lib from "../../src/index.ts";
import playwrightConfig from "../../playwright.config.ts";
import { skopeo, skopeoJson, type InspectedConfig } from "../image/_image_tools.ts";
import { startPageServer } from "../runtimes/chromium/server.ts";
import { startWorker } from "../runtimes/workerd/_workerd.ts";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";
import { REGISTRY_KINDS, startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256, temporaryDirectory } from "../support/tools.ts";
import { pushZstdImage, zstdPushedTar, type PushedZstd } from "./zstd_pushed_probe.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");
const noTls = "--tls-verify=false";

async function inDeno(registry: RunningRegistry): Promise<PushedZstd> {
  const args = [DENO, "run", "--config", join(ROOT, "test/runtimes/deno/deno.json"), `--allow-read=${ROOT}`, "--allow-net=127.0.0.1", join(import.meta.dirname, "zstd_pushed_deno.ts"), registry.host];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, env: { ...process.env, NO_COLOR: "1" } });
  return JSON.parse(stdout) as PushedZstd;
}

async function inWorkerd(registry: RunningRegistry): Promise<PushedZstd> {
  const worker = await startWorker(registry.host, "../../conformance/zstd_pushed_worker.ts");
  try {
    const response = await worker.fetch(`/?registry=${registry.host}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as PushedZstd;
  } finally {
    await worker.stop();
  }
}

async function inChromium(registry: RunningRegistry): Promise<PushedZstd> {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, "zstd_pushed_page.ts")], bundle: true, write: false, format: "esm", platform: "browser", tsconfig: PORTABLE_TSCONFIG, target: "es2022", logLevel: "warning" });
  const server = await startPageServer(registry.url);
  const browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text, type: "module" });
    await page.waitForFunction(() => "pushZstdImage" in globalThis);
    // The page reaches the registry through its own server (same origin), which passes /v2/ on.
    return await page.evaluate((host) => (globalThis as unknown as { pushZstdImage(registry: string): Promise<PushedZstd> }).pushZstdImage(host), server.host);
  } finally {
    await browser.close();
    await server.stop();
  }
}

let work: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => (work = await temporaryDirectory()));
after(() => work?.remove());

for (const kind of REGISTRY_KINDS) {
  describe(`zstd images pushed to ${kind} from every runtime`, () => {
    let registry: RunningRegistry;
    before(async () => (registry = await startRegistry({ kind })));
    after(() => registry?.stop());

    test("Node, Deno, workerd and Chromium push the same layer; skopeo copies each image (verifying every blob); zstd -d of each stored layer is the tar", { timeout: 480_000 }, async () => {
      const tarDigest = sha256(zstdPushedTar());
      // One after the other: the machine is shared and each push is CPU-bound.
      const pushes: [string, PushedZstd][] = [
        ["node", await pushZstdImage(lib, registry.host, "node")],
        ["deno", await inDeno(registry)],
        ["workerd", await inWorkerd(registry)],
        ["chromium", await inChromium(registry)],
      ];
      const [, node] = pushes[0]!;
      for (const [runtime, pushed] of pushes) {
        assert.equal(pushed.layerDigest, node.layerDigest, `${runtime}'s layer digest is Node's`);
        assert.equal(pushed.size, node.size, `${runtime}'s layer size`);
        assert.equal(pushed.diffID, tarDigest, `${runtime}'s DiffID is the tar's sha256`);

        const reference = `docker://${registry.host}/${pushed.repository}:v1`;
        const layout = join(work.path, `${kind}-${runtime}`);
        await skopeo("copy", "--src-tls-verify=false", reference, `oci:${layout}:v1`);
        const config = await skopeoJson<InspectedConfig>("inspect", "--config", noTls, reference);
        assert.deepEqual(config.rootfs.diff_ids, [tarDigest], `${runtime}: the config's DiffID`);
        const raw = await skopeoJson<{ layers: { mediaType: string; digest: string; size: number }[] }>("inspect", "--raw", noTls, reference);
        assert.deepEqual(raw.layers, [{ mediaType: lib.OCI_LAYER_ZSTD, digest: pushed.layerDigest, size: pushed.size }], `${runtime}: the manifest's layer`);

        const blob = join(layout, "blobs/sha256", pushed.layerDigest.slice("sha256:".length));
        const { stdout } = await run("bash", ["-c", `zstd -d -c '${blob}' | sha256sum`]);
        assert.equal(`sha256:${stdout.split(" ")[0]}`, tarDigest, `${runtime}: zstd -d of the stored layer is the tar`);
      }
    });
  });
}
