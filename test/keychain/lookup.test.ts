// dockerKeychain's search: which file, which key, which helper, in which
// order; with fake helpers on the PATH that speak the credential-helper protocol.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CredentialHelperError, dockerKeychain } from "../../src/keychain/index.ts";
import { authFilePaths, dockerConfigPath, entryCredentials, readAuthFile } from "../../src/keychain/_auth_file.ts";
import { keyScope, matchingKeys, registryHost, serverUrl } from "../../src/keychain/_registry_keys.ts";
import { helperCalls, writeCredentialHelpers } from "../cli/_credential_helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "streamlayer-keychain-lookup-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (text: string): string => Buffer.from(text).toString("base64");
const helpers = writeCredentialHelpers(
  join(dir, "bin"),
  { "ghcr.io": { username: "from-good", secret: "g" }, "https://index.docker.io/v1/": { username: "hub-user", secret: "h" } },
  { "quay.io": { username: "<token>", secret: "refresh-token" } },
);

/** A directory holding `files` (name → JSON), and the environment that points the keychain at them. */
function setup(name: string, files: { registryAuth?: unknown; containers?: unknown; docker?: unknown }): Record<string, string> {
  const root = join(dir, name);
  mkdirSync(join(root, "run", "containers"), { recursive: true });
  mkdirSync(join(root, "docker"), { recursive: true });
  const env: Record<string, string> = { DOCKER_CONFIG: join(root, "docker"), PATH: helpers.path, HOME: root };
  if (files.registryAuth !== undefined) {
    env.REGISTRY_AUTH_FILE = join(root, "registry-auth.json");
    writeFileSync(env.REGISTRY_AUTH_FILE, JSON.stringify(files.registryAuth));
  }
  if (files.containers !== undefined) {
    env.XDG_RUNTIME_DIR = join(root, "run");
    writeFileSync(join(root, "run", "containers", "auth.json"), JSON.stringify(files.containers));
  }
  if (files.docker !== undefined) writeFileSync(join(root, "docker", "config.json"), JSON.stringify(files.docker));
  return env;
}

test("hosts are matched as docker matches them: scheme and path dropped, Docker Hub by any of its names", () => {
  assert.equal(registryHost("https://ghcr.io/v1/"), "ghcr.io");
  assert.equal(registryHost("http://127.0.0.1:5000"), "127.0.0.1:5000");
  assert.equal(registryHost("docker://Quay.IO/org"), "quay.io");
  for (const hub of ["https://index.docker.io/v1/", "docker.io", "registry-1.docker.io", "index.docker.io"]) assert.equal(registryHost(hub), "index.docker.io");
  assert.equal(serverUrl("index.docker.io"), "https://index.docker.io/v1/");
  assert.equal(serverUrl("ghcr.io"), "ghcr.io");
});

test("keys are read as podman reads auth.json: with a scheme a host, without one host[/namespace…]", () => {
  assert.deepEqual(keyScope("https://index.docker.io/v1/"), { host: "index.docker.io", namespace: "" });
  assert.deepEqual(keyScope("ghcr.io/team-a/"), { host: "ghcr.io", namespace: "team-a" });
  assert.deepEqual(keyScope("docker.io/library"), { host: "index.docker.io", namespace: "library" });
  const record = { "ghcr.io": "host", "https://ghcr.io": "url", "ghcr.io/team-a": "a", "ghcr.io/team-a/web": "web", "ghcr.io/team-a2": "a2", "ghcr.io.evil": "evil" };
  assert.deepEqual(matchingKeys(record, "ghcr.io", "team-a/web/app").map((m) => m.value), ["web", "a", "host", "url"]);
  assert.deepEqual(matchingKeys(record, "ghcr.io", "team-a").map((m) => m.value), ["a", "host", "url"]);
  assert.deepEqual(matchingKeys(record, "ghcr.io", "team-b/app").map((m) => m.value), ["host", "url"], "team-a's key is not a prefix of team-b, nor team-a2's of team-a");
  assert.deepEqual(matchingKeys(record, "ghcr.io", undefined).map((m) => m.value), ["host", "url"], "no repository: host keys only");
});

test("auths entries in every spelling: auth, username/password, identitytoken, registrytoken, <token>", () => {
  assert.deepEqual(entryCredentials({ auth: b64("alice:pa:ss") }), { username: "alice", password: "pa:ss" });
  assert.deepEqual(entryCredentials({ username: "bob", password: "pw" }), { username: "bob", password: "pw" });
  assert.deepEqual(entryCredentials({ identitytoken: "refresh" }), { identityToken: "refresh" });
  assert.deepEqual(entryCredentials({ auth: b64("<token>:refresh") }), { identityToken: "refresh" });
  assert.deepEqual(entryCredentials({ registrytoken: "ready" }), { token: "ready" });
  assert.equal(entryCredentials({}), undefined, "an empty entry is a marker for credsStore");
  assert.equal(entryCredentials("not an object"), undefined);
});

test("files are searched in order: REGISTRY_AUTH_FILE, containers/auth.json, then Docker's config.json", async () => {
  const env = { REGISTRY_AUTH_FILE: "/a.json", XDG_RUNTIME_DIR: "/run/user/1", DOCKER_CONFIG: "/cfg" };
  assert.deepEqual(authFilePaths(env), ["/a.json", "/run/user/1/containers/auth.json", "/cfg/config.json"]);
  assert.equal(dockerConfigPath({ HOME: "/home/me" }), "/home/me/.docker/config.json");

  const entry = (user: string) => ({ auths: { "quay.io": { auth: b64(`${user}:pw`) } } });
  const all = dockerKeychain({ env: setup("order-all", { registryAuth: entry("first"), containers: entry("second"), docker: entry("third") }) });
  assert.deepEqual(await all("quay.io", "org/app"), { username: "first", password: "pw" });
  const two = dockerKeychain({ env: setup("order-two", { containers: entry("second"), docker: entry("third") }) });
  assert.deepEqual(await two("quay.io", "org/app"), { username: "second", password: "pw" });
  const one = dockerKeychain({ env: setup("order-one", { docker: entry("third") }) });
  assert.deepEqual(await one("quay.io", "org/app"), { username: "third", password: "pw" });
  assert.equal(await one("ghcr.io", "org/app"), undefined, "nothing for the host: anonymous");
  assert.equal(await dockerKeychain({ env: setup("order-none", {}) })("quay.io"), undefined, "no file: anonymous");
  // A file with nothing for the host passes the turn to the next.
  const skip = dockerKeychain({ env: setup("order-skip", { registryAuth: { auths: { "ghcr.io": { auth: b64("x:y") } } }, docker: entry("third") }) });
  assert.deepEqual(await skip("quay.io", "org/app"), { username: "third", password: "pw" });
});

test("in a file: namespaced keys, longest first, then credHelpers, credsStore, auths for the host", async () => {
  const env = setup("in-file", {
    docker: {
      credHelpers: { "ghcr.io": "good", "quay.io": "identity" },
      credsStore: "keeper",
      auths: { "ghcr.io": { auth: b64("host-entry:pw") }, "ghcr.io/team-a": { auth: b64("team-a:pw") }, "ghcr.io/team-a/web": { auth: b64("web:pw") }, "example.com": { auth: b64("plain:pw") } },
    },
  });
  const keychain = dockerKeychain({ env });
  assert.deepEqual(await keychain("ghcr.io", "team-a/web/app"), { username: "web", password: "pw" });
  assert.deepEqual(await keychain("ghcr.io", "team-a/app"), { username: "team-a", password: "pw" });
  assert.deepEqual(await keychain("ghcr.io", "team-b/app"), { username: "from-good", password: "g" }, "team-a's account never goes to team-b: the host's helper answers");
  assert.deepEqual(await keychain("quay.io", "org/app"), { identityToken: "refresh-token" }, "<token> from a helper is an identity token");
  // keeper (the credsStore) holds nothing for example.com: the auths entry answers.
  assert.deepEqual(await keychain("example.com", "app"), { username: "plain", password: "pw" });
  assert.deepEqual(helperCalls(helpers).slice(-3), ["good get ghcr.io", "identity get quay.io", "keeper get example.com"]);

  writeFileSync(helpers.keeperStore, JSON.stringify({ "example.com": { Username: "kept", Secret: "k" } }));
  assert.deepEqual(await keychain("example.com", "app"), { username: "kept", password: "k" }, "credsStore before the host's auths entry");
  rmSync(helpers.keeperStore);
});

test("Docker Hub: any spelling of its key, and its helper asked for https://index.docker.io/v1/", async () => {
  const file = dockerKeychain({ env: setup("hub-file", { docker: { auths: { "https://index.docker.io/v1/": { auth: b64("hubber:pw") } } } }) });
  assert.deepEqual(await file("index.docker.io", "library/alpine"), { username: "hubber", password: "pw" });
  assert.deepEqual(await file("docker.io", "library/alpine"), { username: "hubber", password: "pw" });
  const podman = dockerKeychain({ env: setup("hub-podman", { containers: { auths: { "docker.io/me": { auth: b64("me:pw") } } } }) });
  assert.deepEqual(await podman("index.docker.io", "me/app"), { username: "me", password: "pw" });
  assert.equal(await podman("index.docker.io", "library/alpine"), undefined);
  const helper = dockerKeychain({ env: setup("hub-helper", { docker: { credHelpers: { "docker.io": "good" } } }) });
  assert.deepEqual(await helper("index.docker.io", "library/alpine"), { username: "hub-user", password: "h" });
  assert.equal(helperCalls(helpers).at(-1), "good get https://index.docker.io/v1/");
});

test("a broken helper: CredentialHelperError naming it, never its output; a bad name is never run", async () => {
  const broken = dockerKeychain({ env: setup("broken", { docker: { credHelpers: { "ghcr.io": "broken" } } }) });
  await assert.rejects(broken("ghcr.io", "a/b"), (error: Error) => {
    assert.ok(error instanceof CredentialHelperError);
    assert.equal(error.message, "Credential helper docker-credential-broken failed (exit code 2) for ghcr.io");
    return true;
  });
  for (const name of ["../../bin/sh", "-rf", "a b", "x;id"]) {
    const bad = dockerKeychain({ env: setup(`bad-name-${name.length}`, { docker: { credsStore: name } }) });
    await assert.rejects(bad("ghcr.io"), /has a name that is not a plain executable name$/);
  }
  assert.throws(() => dockerKeychain({ helperTimeout: 0 }), RangeError);
});

test("a broken file is refused without quoting it (it holds credentials)", async () => {
  writeFileSync(join(dir, "leaky.json"), `{"auths":{"quay.io":{"auth":${b64("alice:s3cret")}}}}`);
  await assert.rejects(readAuthFile(join(dir, "leaky.json")), (error: Error) => {
    assert.ok(error instanceof SyntaxError);
    assert.match(error.message, /^Cannot parse .*leaky\.json: not valid JSON$/);
    assert.ok(!error.message.includes(b64("alice:s3cret").slice(0, 6)), error.message);
    assert.equal(error.cause, undefined, "not even the cause quotes it");
    return true;
  });
  assert.equal(await readAuthFile(join(dir, "missing.json")), undefined);
});
