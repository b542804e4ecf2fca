import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { authFilePaths, dockerConfigPath, entryCredentials, lookupByHost, readAuthFile } from "../../src/cli/_auth_file.ts";
import { findCredentials } from "../../src/cli/_keychain.ts";
import { registryHost, serverUrl } from "../../src/cli/_registry_host.ts";

const dir = mkdtempSync(join(tmpdir(), "streamlayer-auth-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (text: string): string => Buffer.from(text).toString("base64");

test("hosts are matched as docker matches them: scheme and path dropped, Docker Hub by any of its names", () => {
  assert.equal(registryHost("https://ghcr.io/v1/"), "ghcr.io");
  assert.equal(registryHost("http://127.0.0.1:5000"), "127.0.0.1:5000");
  assert.equal(registryHost("docker://Quay.IO/org"), "quay.io");
  for (const hub of ["https://index.docker.io/v1/", "docker.io", "registry-1.docker.io", "index.docker.io"]) assert.equal(registryHost(hub), "index.docker.io");
  assert.equal(serverUrl("index.docker.io"), "https://index.docker.io/v1/");
  assert.equal(serverUrl("ghcr.io"), "ghcr.io");
  assert.equal(lookupByHost({ "https://ghcr.io": 1, "quay.io": 2 }, "ghcr.io"), 1);
  assert.equal(lookupByHost({ "https://index.docker.io/v1/": 3 }, "index.docker.io"), 3);
  assert.equal(lookupByHost({ "ghcr.io.evil": 4 }, "ghcr.io"), undefined);
});

test("auths entries in every spelling: auth, username/password, identitytoken, registrytoken, <token>", () => {
  assert.deepEqual(entryCredentials({ auth: b64("alice:pa:ss") }), { username: "alice", password: "pa:ss" });
  assert.deepEqual(entryCredentials({ username: "bob", password: "pw" }), { username: "bob", password: "pw" });
  assert.deepEqual(entryCredentials({ identitytoken: "refresh" }), { identityToken: "refresh" });
  assert.deepEqual(entryCredentials({ auth: b64("<token>:refresh") }), { identityToken: "refresh" });
  assert.deepEqual(entryCredentials({ registrytoken: "ready" }), { token: "ready" });
  assert.equal(entryCredentials({}), undefined, "an empty entry is a marker for credsStore");
});

test("files are searched in order: REGISTRY_AUTH_FILE, containers/auth.json, then Docker's config.json", async () => {
  const env = { REGISTRY_AUTH_FILE: join(dir, "registry-auth.json"), XDG_RUNTIME_DIR: join(dir, "run"), DOCKER_CONFIG: join(dir, "docker"), PATH: "" };
  assert.deepEqual(authFilePaths(env), [env.REGISTRY_AUTH_FILE, join(dir, "run", "containers", "auth.json"), join(dir, "docker", "config.json")]);
  assert.equal(dockerConfigPath({ DOCKER_CONFIG: "/cfg" }), "/cfg/config.json");
  assert.equal(await findCredentials("quay.io", env), undefined, "no file: anonymous");
  writeFileSync(env.REGISTRY_AUTH_FILE, JSON.stringify({ auths: { "quay.io": { auth: b64("first:1") } } }));
  assert.deepEqual(await findCredentials("quay.io", env), { username: "first", password: "1" });
  assert.equal(await findCredentials("ghcr.io", env), undefined);
});

test("a broken file is refused without quoting it (it holds credentials)", async () => {
  writeFileSync(join(dir, "leaky.json"), `{"auths":{"quay.io":{"auth":${b64("alice:s3cret")}}}}`);
  await assert.rejects(readAuthFile(join(dir, "leaky.json")), (error: Error) => {
    assert.ok(error instanceof SyntaxError);
    assert.match(error.message, /^Cannot parse .*leaky\.json: not valid JSON$/);
    assert.ok(!error.message.includes(b64("alice:s3cret").slice(0, 6)), error.message);
    return true;
  });
  assert.equal(await readAuthFile(join(dir, "missing.json")), undefined);
});
