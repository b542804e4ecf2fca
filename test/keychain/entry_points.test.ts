// dockerKeychain() as the auth option of every entry point, against the real
// htpasswd registry: the client hands it the repository, so a key filed for
// one namespace opens that namespace and no other.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { appendLayers, createTarStream, emptyImage, pullImage, StreamLayer, writeImage, writeLayer } from "../../src/index.ts";
import { dockerKeychain } from "../../src/keychain/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";

let registry: RunningRegistry;
let keychain: ReturnType<typeof dockerKeychain>;
const dir = mkdtempSync(join(tmpdir(), "streamlayer-keychain-entry-"));
before(async () => {
  registry = await startRegistry({ auth: "basic" });
  const { username, password } = registry.credentials!;
  // Only team-a has an account: anything else on the host is anonymous, and refused.
  writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { [`${registry.host}/team-a`]: { auth: Buffer.from(`${username}:${password}`).toString("base64") } } }));
  keychain = dockerKeychain({ env: { DOCKER_CONFIG: dir, PATH: "" } });
});
after(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const layer = (text: string) => new StreamLayer(createTarStream([{ path: "file.txt", data: `${text}\n` }]));

test("the auth function gets the host and the repository from every client", async () => {
  const asked: [string, string | undefined][] = [];
  const recording = async (host: string, repository?: string) => (asked.push([host, repository]), keychain(host, repository));
  await writeImage(`${registry.host}/team-a/app:1`, appendLayers(emptyImage(), layer("recorded")), { auth: recording });
  assert.deepEqual([...new Set(asked.map((pair) => pair.join(" ")))], [`${registry.host} team-a/app`]);
});

test("writeLayer, writeImage, pullImage and RegistryClient take dockerKeychain() as auth; the namespace's key opens only it", async () => {
  const written = await writeImage(`${registry.host}/team-a/app:2`, appendLayers(emptyImage(), layer("image")), { auth: keychain });
  const pulled = await pullImage(`${registry.host}/team-a/app:2`, { auth: keychain });
  assert.equal((await pulled.values()).descriptor.digest, written.digest);
  const blob = await writeLayer(`${registry.host}/team-a/blobs`, layer("blob"), { auth: keychain });
  const client = new RegistryClient(`${registry.host}/team-a/blobs`, { auth: keychain });
  assert.equal((await client.headBlob(blob.digest))?.digest, blob.digest);

  await assert.rejects(writeImage(`${registry.host}/team-b/app:1`, appendLayers(emptyImage(), layer("other")), { auth: keychain }), (error: Error & { status?: number }) => error.status === 401);
  await assert.rejects(pullImage(`${registry.host}/team-a2/app:1`, { auth: keychain }), (error: Error & { status?: number }) => error.status === 401);
});
