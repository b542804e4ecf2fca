// examples/worker/: bundled with esbuild as wrangler would, started by
// miniflare with `modules: true` and `scriptPath` as wrangler users do. A tar
// and a .tar.gz POSTed to it land in the real registry (checked with skopeo);
// input that is not a tar is a 400; and /v2/ is a same-origin proxy through
// which the library pushes an image in chunked mode.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { appendLayers, createTarStream, emptyImage, StreamLayer, writeImage } from "../../src/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/worker");
const run = promisify(execFile);

let registry: RunningRegistry;
let miniflare: Miniflare;
let workerUrl: URL;
const dir = mkdtempSync(join(tmpdir(), "streamlayer-worker-example-"));

before(async () => {
  registry = await startRegistry();
  const scriptPath = join(dir, "worker.js");
  // What wrangler does: bundle src/worker.ts for workerd. `streamlayer` is the
  // package in a user's project; here, the sources.
  await build({
    entryPoints: [join(EXAMPLE, "src/worker.ts")],
    outfile: scriptPath,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    tsconfig: PORTABLE_TSCONFIG,
    alias: { streamlayer: join(ROOT, "src/index.ts") },
    target: "es2022",
    logLevel: "warning",
  });
  const wrangler = readFileSync(join(EXAMPLE, "wrangler.toml"), "utf8");
  const compatibilityDate = /^compatibility_date = "([^"]+)"/m.exec(wrangler)![1]!;
  miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dir,
    compatibilityDate,
    bindings: { REGISTRY: registry.host },
    // workerd's default internet service refuses loopback addresses: the registry is the outbound service.
    outboundService: { external: { address: registry.host, http: {} } },
    host: "127.0.0.1",
    port: 0,
  });
  workerUrl = await miniflare.ready;
});

after(async () => {
  await miniflare?.dispose();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function inspect(reference: string): Promise<{ layers: string[]; diffIDs: string[] }> {
  const skopeo = async (what: string) => JSON.parse((await run("skopeo", ["inspect", what, "--tls-verify=false", `docker://${reference}`])).stdout) as unknown;
  const raw = (await skopeo("--raw")) as { layers: { digest: string }[] };
  const config = (await skopeo("--config")) as { rootfs: { diff_ids: string[] } };
  return { layers: raw.layers.map((layer) => layer.digest), diffIDs: config.rootfs.diff_ids };
}

function tarball(): Buffer {
  return execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(ROOT, "examples/rootfs"), "."]);
}

test("POST /push/<image> with a tar: the body is the image's one layer", async () => {
  const tar = tarball();
  const response = await fetch(new URL("/push/worker/app:tar", workerUrl), { method: "POST", body: new Uint8Array(tar) });
  const answer = (await response.json()) as { manifest: string; layer: { digest: string; diffID: string } };
  assert.equal(response.status, 200, JSON.stringify(answer));
  assert.equal(answer.layer.diffID, sha256(tar));
  assert.deepEqual(await inspect(`${registry.host}/worker/app:tar`), { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });
});

test("POST /push/<image> with a .tar.gz as application/gzip: pushed as it is", async () => {
  const tgz = gzipSync(tarball());
  const response = await fetch(new URL("/push/worker/app:tgz", workerUrl), { method: "POST", body: new Uint8Array(tgz), headers: { "content-type": "application/gzip" } });
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await inspect(`${registry.host}/worker/app:tgz`), { layers: [sha256(tgz)], diffIDs: [sha256(gunzipSync(tgz))] });
});

test("POST /push/<image> with bytes that are not a tar: 400 with InvalidLayerSourceError", async () => {
  for (const body of [gzipSync(tarball()), Buffer.from("hello, not a tar\n".repeat(100))]) {
    const response = await fetch(new URL("/push/worker/app:bad", workerUrl), { method: "POST", body: new Uint8Array(body) });
    const answer = (await response.json()) as { error: string };
    assert.equal(response.status, 400);
    assert.match(answer.error, /^InvalidLayerSourceError: Invalid layer source: found/);
  }
});

test("/v2/ through the Worker: the library pushes an image to the Worker's origin as if it were the registry", async () => {
  const reference = `${workerUrl.host}/worker/proxied:v1`;
  const tar = new Uint8Array(await new Response(createTarStream([{ path: "srv/index.html", data: "<h1>hi</h1>\n".repeat(50_000) }])).arrayBuffer());
  const layer = new StreamLayer(new Blob([tar]).stream());
  const manifest = await writeImage(reference, appendLayers(emptyImage(), layer), { chunkSize: 256 * 1024 });
  assert.match(manifest.digest, /^sha256:/);
  assert.deepEqual(await inspect(`${registry.host}/worker/proxied:v1`), { layers: [await layer.digest()], diffIDs: [sha256(tar)] });
});
