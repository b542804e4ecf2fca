// examples/worker/: bundled with esbuild as wrangler would, started by
// miniflare with `modules: true` and `scriptPath`, its bindings the vars and
// secrets its README names. Without the Worker's PUSH_TOKEN every route is a
// 401; with it, a tar and a .tar.gz POSTed to it land in the real registry
// (checked with skopeo) and input that is not a tar is a 400; /v2/ is a
// registry API through which the library pushes with PUSH_TOKEN as its token.
// Against a registry with basic auth the Worker's REGISTRY_USERNAME and
// REGISTRY_PASSWORD bindings are what get the pushes in (the callers never
// send them); unset configuration is a 500 that names what to set.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { fetch as miniflareFetch, Miniflare, type Request as MiniflareRequest, type Response as MiniflareResponse } from "miniflare";
import { appendLayers, AuthError, createTarStream, emptyImage, StreamLayer, writeImage } from "../../src/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/worker");
const run = promisify(execFile);
const PUSH_TOKEN = "a-long-random-push-token-0123456789";
const bearer = { authorization: `Bearer ${PUSH_TOKEN}` };

const dir = mkdtempSync(join(tmpdir(), "streamlayer-worker-example-"));
const scriptPath = join(dir, "worker.js");
const wrangler = readFileSync(join(EXAMPLE, "wrangler.toml"), "utf8");
const compatibilityDate = /^compatibility_date = "([^"]+)"/m.exec(wrangler)![1]!;

before(async () => {
  // What wrangler does: bundle src/worker.ts for workerd. `streamlayer` and
  // `streamlayer/registry` are the package in a user's project; here, the sources.
  await build({
    entryPoints: [join(EXAMPLE, "src/worker.ts")],
    outfile: scriptPath,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    tsconfig: PORTABLE_TSCONFIG,
    plugins: [{
      name: "streamlayer-sources",
      setup(bundler) {
        bundler.onResolve({ filter: /^streamlayer(\/registry)?$/ }, ({ path }) => ({ path: join(ROOT, path === "streamlayer" ? "src/index.ts" : "src/registry/index.ts") }));
      },
    }],
    target: "es2022",
    logLevel: "warning",
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The Worker under miniflare with these bindings; every outbound request goes to `outbound`: a registry's host, or a fetch of Node's. */
async function startWorker(bindings: Record<string, string>, outbound: string | ((request: MiniflareRequest) => Promise<MiniflareResponse>)): Promise<{ url: URL; dispose(): Promise<void> }> {
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dir,
    compatibilityDate,
    bindings,
    // workerd's default internet service refuses loopback addresses: the registry is the outbound service.
    outboundService: typeof outbound === "string" ? { external: { address: outbound, http: {} } } : outbound,
    host: "127.0.0.1",
    port: 0,
  });
  return { url: await miniflare.ready, dispose: () => miniflare.dispose() };
}

async function inspect(reference: string, credentials?: { username: string; password: string }): Promise<{ layers: string[]; diffIDs: string[] }> {
  const login = credentials ? [`--creds=${credentials.username}:${credentials.password}`] : [];
  const skopeo = async (what: string) => JSON.parse((await run("skopeo", ["inspect", what, "--tls-verify=false", ...login, `docker://${reference}`])).stdout) as unknown;
  const raw = (await skopeo("--raw")) as { layers: { digest: string }[] };
  const config = (await skopeo("--config")) as { rootfs: { diff_ids: string[] } };
  return { layers: raw.layers.map((layer) => layer.digest), diffIDs: config.rootfs.diff_ids };
}

function tarball(): Buffer {
  return execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(ROOT, "examples/rootfs"), "."]);
}

async function tarOfSite(): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(createTarStream([{ path: "srv/index.html", data: "<h1>hi</h1>\n".repeat(50_000) }])).arrayBuffer());
}

describe("an anonymous registry (docker-registry)", () => {
  let registry: RunningRegistry;
  let worker: { url: URL; dispose(): Promise<void> };
  before(async () => {
    registry = await startRegistry();
    worker = await startWorker({ REGISTRY: registry.host, PUSH_TOKEN }, registry.host);
  });
  after(async () => {
    await worker?.dispose();
    await registry?.stop();
  });

  test("POST /push/<image> without the PUSH_TOKEN, or with another: 401, nothing pushed", async () => {
    for (const headers of [{}, { authorization: "Bearer not-the-token" }, { authorization: `Bearer ${PUSH_TOKEN}x` }, { authorization: `Basic ${btoa(`user:${PUSH_TOKEN.slice(1)}`)}` }] as Record<string, string>[]) {
      const response = await fetch(new URL("/push/worker/app:refused", worker.url), { method: "POST", body: new Uint8Array(tarball()), headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
      assert.match(await response.text(), /PUSH_TOKEN/);
    }
    const tags = await fetch(`${registry.url}/v2/worker/app/tags/list`);
    assert.equal(tags.status, 404, "the repository was never created");
  });

  test("POST /push/<image> with a tar and the PUSH_TOKEN: the body is the image's one layer", async () => {
    const tar = tarball();
    const response = await fetch(new URL("/push/worker/app:tar", worker.url), { method: "POST", body: new Uint8Array(tar), headers: bearer });
    const answer = (await response.json()) as { manifest: string; layer: { digest: string; diffID: string } };
    assert.equal(response.status, 200, JSON.stringify(answer));
    assert.equal(answer.layer.diffID, sha256(tar));
    assert.deepEqual(await inspect(`${registry.host}/worker/app:tar`), { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });
  });

  test("POST /push/<image> with a .tar.gz as application/gzip: pushed as it is", async () => {
    const tgz = gzipSync(tarball());
    const response = await fetch(new URL("/push/worker/app:tgz", worker.url), { method: "POST", body: new Uint8Array(tgz), headers: { ...bearer, "content-type": "application/gzip" } });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await inspect(`${registry.host}/worker/app:tgz`), { layers: [sha256(tgz)], diffIDs: [sha256(gunzipSync(tgz))] });
  });

  test("POST /push/<image> with bytes that are not a tar: 400 with InvalidLayerSourceError; a .tar.gz without its Content-Type is told to send it", async () => {
    for (const [body, hint] of [[gzipSync(tarball()), true], [Buffer.from("hello, not a tar\n".repeat(100)), false]] as const) {
      const response = await fetch(new URL("/push/worker/app:bad", worker.url), { method: "POST", body: new Uint8Array(body), headers: bearer });
      const answer = (await response.json()) as { error: string };
      assert.equal(response.status, 400);
      assert.match(answer.error, /^InvalidLayerSourceError: Invalid layer source: found/);
      assert.equal(answer.error.endsWith("; to push a .tar.gz as it is, send it with Content-Type: application/gzip"), hint, answer.error);
    }
  });

  test("/v2/ with the PUSH_TOKEN as the library's token: an image pushed through the Worker in chunked mode", async () => {
    const reference = `${worker.url.host}/worker/proxied:v1`;
    const tar = await tarOfSite();
    const layer = new StreamLayer(new Blob([tar]).stream());
    const manifest = await writeImage(reference, appendLayers(emptyImage(), layer), { chunkSize: 256 * 1024, auth: { token: PUSH_TOKEN } });
    assert.match(manifest.digest, /^sha256:/);
    assert.deepEqual(await inspect(`${registry.host}/worker/proxied:v1`), { layers: [await layer.digest()], diffIDs: [sha256(tar)] });
  });

  test("/v2/ without the PUSH_TOKEN: 401 with a Basic challenge; the library's push ends in AuthError", async () => {
    const response = await fetch(new URL("/v2/worker/app/tags/list", worker.url));
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Basic realm=/);
    const layer = new StreamLayer(new Blob([await tarOfSite()]).stream());
    await assert.rejects(writeImage(`${worker.url.host}/worker/anonymous:v1`, appendLayers(emptyImage(), layer)), AuthError);
    await assert.rejects(
      writeImage(`${worker.url.host}/worker/anonymous:v1`, appendLayers(emptyImage(), new StreamLayer(new Blob([await tarOfSite()]).stream())), { auth: { username: "any", password: "wrong" } }),
      AuthError,
    );
  });
});

describe("a registry with basic auth (docker-registry with htpasswd)", () => {
  let registry: RunningRegistry;
  let worker: { url: URL; dispose(): Promise<void> };
  before(async () => {
    registry = await startRegistry({ auth: "basic" });
    const { username, password } = registry.credentials!;
    worker = await startWorker({ REGISTRY: registry.host, PUSH_TOKEN, REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password }, registry.host);
  });
  after(async () => {
    await worker?.dispose();
    await registry?.stop();
  });

  test("POST /push/<image>: the Worker's REGISTRY_USERNAME and REGISTRY_PASSWORD get the push in", async () => {
    const anonymous = await fetch(`${registry.url}/v2/`);
    assert.equal(anonymous.status, 401, "the registry refuses anonymous callers");
    const tar = tarball();
    const response = await fetch(new URL("/push/worker/app:basic", worker.url), { method: "POST", body: new Uint8Array(tar), headers: bearer });
    const answer = (await response.json()) as { layer: { digest: string } };
    assert.equal(response.status, 200, JSON.stringify(answer));
    assert.deepEqual(await inspect(`${registry.host}/worker/app:basic`, registry.credentials), { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });
  });

  test("/v2/ with the PUSH_TOKEN as a Basic password, as docker login sends it: the Worker's credentials reach the registry, never the caller's", async () => {
    const tar = await tarOfSite();
    const layer = new StreamLayer(new Blob([tar]).stream());
    await writeImage(`${worker.url.host}/worker/proxied:basic`, appendLayers(emptyImage(), layer), { chunkSize: 256 * 1024, auth: { username: "ci", password: PUSH_TOKEN } });
    assert.deepEqual(await inspect(`${registry.host}/worker/proxied:basic`, registry.credentials), { layers: [await layer.digest()], diffIDs: [sha256(tar)] });
  });
});

describe("a registry with token auth (docker-registry and a token server of ours)", () => {
  let registry: RunningRegistry;
  let worker: { url: URL; dispose(): Promise<void> };
  before(async () => {
    registry = await startRegistry({ auth: "token" });
    const { username, password } = registry.credentials!;
    // The token server listens on a port of its own: the outbound service is a fetch in Node, to either.
    worker = await startWorker({ REGISTRY: registry.host, PUSH_TOKEN, REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password }, (request) => miniflareFetch(request));
  });
  after(async () => {
    await worker?.dispose();
    await registry?.stop();
  });

  test("POST /push/<image> and /v2/: the Worker trades its credentials for tokens at the realm, the caller holds only PUSH_TOKEN", async () => {
    const tar = tarball();
    const response = await fetch(new URL("/push/worker/app:token", worker.url), { method: "POST", body: new Uint8Array(tar), headers: bearer });
    const answer = (await response.json()) as { layer: { digest: string } };
    assert.equal(response.status, 200, JSON.stringify(answer));
    assert.deepEqual(await inspect(`${registry.host}/worker/app:token`, registry.credentials), { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });

    const site = await tarOfSite();
    const layer = new StreamLayer(new Blob([site]).stream());
    await writeImage(`${worker.url.host}/worker/proxied:token`, appendLayers(emptyImage(), layer), { chunkSize: 256 * 1024, auth: { token: PUSH_TOKEN } });
    assert.deepEqual(await inspect(`${registry.host}/worker/proxied:token`, registry.credentials), { layers: [await layer.digest()], diffIDs: [sha256(site)] });
  });
});

describe("configuration left unset", () => {
  const cases: { bindings: Record<string, string>; names: RegExp[] }[] = [
    { bindings: {}, names: [/REGISTRY \(the registry's host\[:port\], in wrangler\.toml's \[vars\]\)/, /PUSH_TOKEN \(a secret: `wrangler secret put PUSH_TOKEN`/] },
    { bindings: { REGISTRY: "127.0.0.1:1" }, names: [/set PUSH_TOKEN/] },
    { bindings: { PUSH_TOKEN }, names: [/set REGISTRY /] },
    { bindings: { REGISTRY: "127.0.0.1:1", PUSH_TOKEN, REGISTRY_USERNAME: "ci" }, names: [/REGISTRY_PASSWORD \(a secret: `wrangler secret put REGISTRY_PASSWORD`\)/] },
    { bindings: { REGISTRY: "https://registry.internal/", PUSH_TOKEN }, names: [/REGISTRY must be a host\[:port\]/] },
  ];

  test("every route answers 500 naming what to set, before any push is tried", async () => {
    for (const { bindings, names } of cases) {
      const worker = await startWorker(bindings, "127.0.0.1:1");
      try {
        for (const [path, init] of [["/push/team/app:v1", { method: "POST", body: "x", headers: bearer }], ["/v2/", {}]] as const) {
          const response = await fetch(new URL(path, worker.url), init);
          const answer = (await response.json()) as { error: string };
          assert.equal(response.status, 500, `${JSON.stringify(bindings)} ${path}`);
          for (const name of names) assert.match(answer.error, name);
        }
      } finally {
        await worker.dispose();
      }
    }
  });
});
