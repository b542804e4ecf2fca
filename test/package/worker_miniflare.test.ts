// A Worker that imports the packed `streamlayer` and pushes
// `request.body`, bundled with esbuild and started by miniflare the usual way
// (`modules: true` and `scriptPath`, which is also how `vite preview` with the
// Cloudflare plugin starts one), pushes a layer to a real registry; the blob
// is read back and checked with node:crypto and gunzip.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { fetchCheckedBlob } from "../support/blob_check.ts";
import { tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";
import { consumerProject, packPackage, type Packed } from "./_packed.ts";

const WORKER = `
import { StreamLayer, writeLayer } from "streamlayer";

export default {
  async fetch(request) {
    const repository = new URL(request.url).searchParams.get("repository");
    try {
      const layer = new StreamLayer(request.body);
      const descriptor = await writeLayer(repository, layer);
      return Response.json({ digest: descriptor.digest, size: descriptor.size, diffID: await layer.diffID() });
    } catch (error) {
      return Response.json({ error: String(error?.stack ?? error) }, { status: 500 });
    }
  },
};
`;

let packed: Packed;
let project: Awaited<ReturnType<typeof consumerProject>>;
let registry: RunningRegistry;
let miniflare: Miniflare | undefined;

before(async () => {
  registry = await startRegistry();
  packed = await packPackage();
  project = await consumerProject(packed.tarball);
  writeFileSync(join(project.path, "package.json"), JSON.stringify({ name: "worker", private: true, type: "module" }));
  writeFileSync(join(project.path, "worker.js"), WORKER);
});
after(async () => {
  // dispose() of a Miniflare that never became ready rejects with the same
  // error, and must still be called, or its internals keep Node running.
  await miniflare?.dispose().catch(() => undefined);
  await registry?.stop();
  await project?.remove();
  await packed?.remove();
});

test("a Worker bundled with esbuild and started with modules: true and scriptPath pushes request.body as a layer", async () => {
  const scriptPath = join(project.path, "dist/worker.js");
  const bundled = await build({
    entryPoints: [join(project.path, "worker.js")],
    outfile: scriptPath,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    // zstd's WebAssembly is imported as a module under the workerd condition (Workers compile no
    // WebAssembly from bytes): esbuild copies the file beside the bundle, and workerd loads it as a
    // compiled module by the rule below. wrangler does both by itself.
    loader: { ".wasm": "copy" },
    logLevel: "silent",
  });
  assert.deepEqual(bundled.warnings.map((warning) => warning.text), []);

  const starting: Miniflare = new Miniflare({
    modules: true,
    scriptPath,
    // Modules are named relative to modulesRoot, the working directory unless
    // told: a script outside it would need "..", which workerd refuses.
    modulesRoot: join(project.path, "dist"),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
    // workerd's default internet service refuses loopback addresses: the registry is its outbound service.
    outboundService: { external: { address: registry.host, http: {} } },
  });
  miniflare = starting;
  await starting.ready;

  const tar = withTarHeader(tarLikeBytes(3 * 1024 * 1024, 7));
  const response = await miniflare.dispatchFetch(`http://worker/?repository=${registry.host}/worker/app`, { method: "POST", body: tar, duplex: "half" } as never);
  const answer = (await response.json()) as { digest: string; size: number; diffID: string; error?: string };
  assert.equal(response.status, 200, answer.error);

  const { bytes } = await fetchCheckedBlob(registry.url, "worker/app", answer.digest, answer.size);
  assert.deepEqual(new Uint8Array(gunzipSync(bytes)), tar);
  assert.equal(sha256(tar), answer.diffID);
});
