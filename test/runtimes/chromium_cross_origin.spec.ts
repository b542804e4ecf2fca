// A page on one origin pushing to a registry on another, as users deploy it:
// the Vite example in examples/browser/, built and served from its own origin,
// drives the push from its form. docker-registry answers CORS through its
// `http.headers`; what that covers and what it does not is asserted here:
// - anonymous: the registry answers preflights itself (OPTIONS 200), pushes work;
// - basic and token auth: the preflight of a request that carries
//   Authorization is sent without it, and docker-registry answers it 401, so
//   the browser refuses; a front that answers OPTIONS (nginx, a Worker) fixes it.
//   The token server, a third origin, must answer CORS and preflights too;
// - no CORS at all, and Allow-Origin without Expose-Headers: the errors name
//   CORS and the header to expose, and the page's diagnosis says CORS;
// - nothing listening: the page says unreachable, not CORS (its no-cors probe
//   of the registry's origin is refused).
import { execFile, execFileSync } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { expect, test, type Page } from "@playwright/test";
import { startRegistry, type RunningRegistry, type StartRegistryOptions } from "../support/registry.ts";
import { serveBuiltExample, pushFromPage as pushFromExample, type FileToPush, type PageOutcome, type ServedExample } from "./chromium/browser_example.ts";
import { startPreflightFront, type LocalServer } from "./chromium/cross_origin_servers.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXPOSE = ["Location", "Range", "Docker-Upload-UUID", "Docker-Content-Digest", "OCI-Chunk-Min-Length", "WWW-Authenticate", "Content-Length"];
const ALLOW = {
  "Access-Control-Allow-Origin": ["*"],
  "Access-Control-Allow-Methods": ["HEAD", "GET", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
  "Access-Control-Allow-Headers": ["Authorization", "Accept", "Content-Type", "Content-Range", "Content-Length"],
};
const CORS = { ...ALLOW, "Access-Control-Expose-Headers": EXPOSE };

let site: ServedExample;
const stops: (() => Promise<void>)[] = [];

test.beforeAll(async () => {
  site = await serveBuiltExample();
});

test.afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  await site?.stop();
});

async function registryWith(options: StartRegistryOptions): Promise<RunningRegistry> {
  const registry = await startRegistry(options);
  stops.push(() => registry.stop());
  return registry;
}

async function front(registry: RunningRegistry): Promise<LocalServer> {
  const server = await startPreflightFront(registry.url, ALLOW);
  stops.push(() => server.stop());
  return server;
}

/** A tar of examples/rootfs made by tar(1). */
function tarball(): Buffer {
  return execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(ROOT, "examples/rootfs"), "."]);
}


/** Fills the example's form on its own origin and pushes; returns what the page shows. */
function pushFromPage(page: Page, reference: string, file: FileToPush, auth?: { username: string; password: string }): Promise<PageOutcome> {
  return pushFromExample(page, site.url, reference, file, auth);
}

const run = promisify(execFile);

/**
 * What skopeo, not our code, sees in the registry: the layer digest and the
 * DiffID. Not execFileSync: the token server runs in this process and must
 * answer skopeo meanwhile.
 */
async function inspect(registry: RunningRegistry, reference: string): Promise<{ layers: string[]; diffIDs: string[] }> {
  const creds = registry.credentials ? ["--creds", `${registry.credentials.username}:${registry.credentials.password}`] : [];
  const skopeo = async (what: string) => JSON.parse((await run("skopeo", ["inspect", what, "--tls-verify=false", ...creds, `docker://${reference}`])).stdout) as unknown;
  const raw = (await skopeo("--raw")) as { layers: { digest: string }[] };
  const config = (await skopeo("--config")) as { rootfs: { diff_ids: string[] } };
  return { layers: raw.layers.map((layer) => layer.digest), diffIDs: config.rootfs.diff_ids };
}

test("anonymous: a page on another origin pushes a .tar and a .tar.gz to docker-registry with CORS headers", async ({ page }) => {
  const registry = await registryWith({ httpHeaders: CORS });
  const tar = tarball();
  const pushed = await pushFromPage(page, `${registry.host}/cors/anonymous:tar`, { name: "layer.tar", buffer: tar });
  expect(pushed.error ?? "").toBe("");
  expect(pushed.state).toBe("done");
  expect(pushed.thread, "the example pushes from a Web Worker").toBe("a Web Worker");
  expect(await inspect(registry, `${registry.host}/cors/anonymous:tar`)).toEqual({ layers: [pushed.layerDigest], diffIDs: [sha256(tar)] });

  const tgz = gzipSync(tar);
  const compressed = await pushFromPage(page, `${registry.host}/cors/anonymous:tgz`, { name: "layer.tar.gz", buffer: tgz });
  expect(compressed.error ?? "").toBe("");
  expect(compressed.state).toBe("done");
  expect(await inspect(registry, `${registry.host}/cors/anonymous:tgz`)).toEqual({ layers: [sha256(tgz)], diffIDs: [sha256(gunzipSync(tgz))] });
});

test("basic auth: docker-registry answers the preflight with 401, the error names CORS; a front answering OPTIONS makes it work", async ({ page }) => {
  const registry = await registryWith({ auth: "basic", httpHeaders: CORS });
  const preflight = await fetch(`${registry.url}/v2/`, { method: "OPTIONS", headers: { origin: site.url.slice(0, -1), "access-control-request-method": "POST", "access-control-request-headers": "authorization" } });
  expect(preflight.status, "docker-registry asks a preflight for credentials").toBe(401);

  const tar = tarball();
  const refused = await pushFromPage(page, `${registry.host}/cors/basic:v1`, { name: "layer.tar", buffer: tar }, registry.credentials);
  expect(refused.state).toBe("failed");
  expect(refused.error).toMatch(/CORS/);
  expect(refused.error).toMatch(/OPTIONS preflight with a 2xx without asking for credentials/);
  expect(refused.kind, "docker-registry answers, so the page's probe tells CORS").toBe("cors");

  const fronted = await front(registry);
  const pushed = await pushFromPage(page, `${fronted.host}/cors/basic:v1`, { name: "layer.tar", buffer: tar }, registry.credentials);
  expect(pushed.error ?? "").toBe("");
  expect(pushed.state).toBe("done");
  expect(await inspect(registry, `${registry.host}/cors/basic:v1`)).toEqual({ layers: [pushed.layerDigest], diffIDs: [sha256(tar)] });
});

test("token auth, the token server on a third origin with CORS: through a front answering OPTIONS, the push works", async ({ page }) => {
  const registry = await registryWith({ auth: "token", httpHeaders: CORS });
  const realm = new URL(registry.tokenServer!.realm);
  expect(new Set([new URL(site.url).origin, realm.origin, new URL(registry.url).origin]).size, "three origins").toBe(3);
  const tokenPreflight = await fetch(realm, { method: "OPTIONS", headers: { origin: new URL(site.url).origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
  expect(tokenPreflight.status).toBe(204);

  const tar = tarball();
  const refused = await pushFromPage(page, `${registry.host}/cors/token:v1`, { name: "layer.tar", buffer: tar }, registry.credentials);
  expect(refused.error).toMatch(/CORS/);

  const fronted = await front(registry);
  const issuedBefore = registry.tokenServer!.issued;
  const pushed = await pushFromPage(page, `${fronted.host}/cors/token:v1`, { name: "layer.tar", buffer: tar }, registry.credentials);
  expect(pushed.error ?? "").toBe("");
  expect(pushed.state).toBe("done");
  expect(registry.tokenServer!.issued, "the page fetched tokens from the third origin").toBeGreaterThan(issuedBefore);
  expect(await inspect(registry, `${registry.host}/cors/token:v1`)).toEqual({ layers: [pushed.layerDigest], diffIDs: [sha256(tar)] });
});

test("a registry without CORS headers: the error says CORS and names Access-Control-Allow-Origin", async ({ page }) => {
  const registry = await registryWith({});
  const result = await pushFromPage(page, `${registry.host}/cors/none:v1`, { name: "layer.tar", buffer: tarball() });
  expect(result.state).toBe("failed");
  expect(result.error).toMatch(/RegistryError: .*GET http:\/\/127\.0\.0\.1:\d+\/v2\/: no response/);
  expect(result.error).toMatch(/most likely CORS: the registry must answer http:\/\/127\.0\.0\.1:\d+ with Access-Control-Allow-Origin/);
  expect(result.kind).toBe("cors");
  expect(result.errorTitle).toBe("The registry answered, but did not allow this page (CORS)");
  expect(result.fixes).toContain(`Answer this page's origin, ${new URL(site.url).origin}, with Access-Control-Allow-Origin.`);
  expect(result.fixes).toMatch(/Access-Control-Expose-Headers/);
});

test("nothing listening: the page says the registry is unreachable, not CORS, and to start it or check the address", async ({ page }) => {
  const port = await closedPort();
  const result = await pushFromPage(page, `127.0.0.1:${port}/cors/nobody:v1`, { name: "layer.tar", buffer: tarball() });
  expect(result.state).toBe("failed");
  expect(result.error, "the library's own message, shown whole").toMatch(new RegExp(`GET http://127\\.0\\.0\\.1:${port}/v2/: no response`));
  expect(result.kind).toBe("unreachable");
  expect(result.errorTitle).toBe(`The registry at http://127.0.0.1:${port} is unreachable`);
  expect(result.errorTitle).not.toMatch(/CORS/);
  expect(result.fixes).toMatch(/^Start the registry/m);
  expect(result.fixes).toContain(`the host and the port (127.0.0.1:${port})`);
});

test("Allow-Origin without Expose-Headers: the error says CORS and names Location and Access-Control-Expose-Headers", async ({ page }) => {
  const registry = await registryWith({ httpHeaders: ALLOW });
  const result = await pushFromPage(page, `${registry.host}/cors/unexposed:v1`, { name: "layer.tar", buffer: tarball() });
  expect(result.state).toBe("failed");
  expect(result.error).toMatch(/POST .*blobs\/uploads\/: HTTP 202: no Location header visible: the answer crossed origins \(CORS\)/);
  expect(result.error).toMatch(/add it to Access-Control-Expose-Headers \(Location, Range, Docker-Upload-UUID, Docker-Content-Digest/);
  expect(result.kind).toBe("cors");
  expect(result.errorTitle).toBe("The registry hides headers this page needs (CORS)");
  expect(result.fixes).toMatch(/Expose Location, Range, .* \(Access-Control-Expose-Headers\)/);
});

/** A port of 127.0.0.1 that nothing listens on: one the system just gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
