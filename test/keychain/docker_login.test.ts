// What login and logout do to Docker's config.json and to credential
// helpers: through a helper when one is configured, else in the file; the
// file rewritten through an exclusively created temporary file, a symlink
// kept, every other value kept as written.
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dockerKeychain } from "../../src/keychain/index.ts";
import { writeThroughTemporary } from "../../src/keychain/_config_file.ts";
import { eraseLogin, storeLogin } from "../../src/keychain/_docker_login.ts";
import { helperCalls, writeCredentialHelpers } from "../cli/_credential_helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "streamlayer-keychain-login-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const helpers = writeCredentialHelpers(join(dir, "bin"));
const b64 = (text: string): string => Buffer.from(text).toString("base64");

function configDir(name: string, text?: string): { env: Record<string, string>; path: string } {
  const docker = join(dir, name);
  mkdirSync(docker, { recursive: true });
  const path = join(docker, "config.json");
  if (text !== undefined) writeFileSync(path, text);
  return { env: { DOCKER_CONFIG: docker, PATH: helpers.path, HOME: dir }, path };
}
const run = (env: Record<string, string>) => ({ env, timeout: 30_000 });

test("login without a helper: auths[host] holds base64 user:password; other spellings of the host replaced, namespaced keys and the rest kept as written", async () => {
  const original = `{
  "auths": {
    "https://ghcr.io": { "auth": "${b64("old:pw")}" },
    "ghcr.io/team-a": { "auth": "${b64("alice:a")}" },
    "quay.io": { "auth": "${b64("q:q")}" }
  },
  "big": 9007199254740993,
  "nested": { "huge": 123456789012345678901234567890, "escaped": "caf\\u00e9", "list": [1.50, true, null] },
  "proxies": { "default": { "httpProxy": "http://proxy:3128" } }
}`;
  const { env, path } = configDir("plain", original);
  const place = await storeLogin("ghcr.io", "bob", "s3cret", run(env));
  assert.deepEqual(place, { path, helper: undefined });
  const text = readFileSync(path, "utf8");
  for (const kept of ["9007199254740993", "123456789012345678901234567890", '"caf\\u00e9"', "1.50", '"httpProxy": "http://proxy:3128"']) assert.ok(text.includes(kept), `${kept} kept in ${text}`);
  const written = JSON.parse(text) as { auths: Record<string, { auth: string }>; big: number };
  assert.deepEqual(Object.keys(written.auths), ["ghcr.io/team-a", "quay.io", "ghcr.io"]);
  assert.equal(Buffer.from(written.auths["ghcr.io"]!.auth, "base64").toString(), "bob:s3cret");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(dir, "plain")), ["config.json"], "no temporary file left");

  const keychain = dockerKeychain({ env });
  assert.deepEqual(await keychain("ghcr.io", "team-b/app"), { username: "bob", password: "s3cret" });
  assert.deepEqual(await keychain("ghcr.io", "team-a/app"), { username: "alice", password: "a" });

  const out = await eraseLogin("ghcr.io", run(env));
  assert.deepEqual(out, { path, helper: undefined, removed: true });
  assert.deepEqual(Object.keys((JSON.parse(readFileSync(path, "utf8")) as { auths: object }).auths), ["ghcr.io/team-a", "quay.io"]);
  assert.ok(readFileSync(path, "utf8").includes("9007199254740993"));
  assert.equal((await eraseLogin("ghcr.io", run(env))).removed, false);
});

test("a symlinked config.json stays a symlink: the file it points to is replaced", async () => {
  const dotfiles = join(dir, "dotfiles");
  mkdirSync(dotfiles);
  writeFileSync(join(dotfiles, "docker.json"), '{"credHelpers":{},"n":18446744073709551615}');
  const { env, path } = configDir("linked");
  symlinkSync("../dotfiles/docker.json", path);
  await storeLogin("127.0.0.1:5000", "me", "pw", run(env));
  assert.ok(lstatSync(path).isSymbolicLink(), "config.json is still a symlink");
  const target = readFileSync(join(dotfiles, "docker.json"), "utf8");
  assert.match(target, /"n": 18446744073709551615/);
  assert.equal(Buffer.from((JSON.parse(target) as { auths: Record<string, { auth: string }> }).auths["127.0.0.1:5000"]!.auth, "base64").toString(), "me:pw");
  assert.equal(statSync(join(dotfiles, "docker.json")).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dotfiles), ["docker.json"], "the temporary file was made beside the target, and renamed");
  assert.deepEqual(readdirSync(join(dir, "linked")), ["config.json"]);

  // A symlink to a file that does not exist yet: the file is made where it points.
  const { env: danglingEnv, path: dangling } = configDir("dangling");
  symlinkSync(join(dotfiles, "new.json"), dangling);
  await storeLogin("quay.io", "me", "pw", run(danglingEnv));
  assert.ok(lstatSync(dangling).isSymbolicLink());
  assert.ok(existsSync(join(dotfiles, "new.json")));
});

test("a file or symlink planted under the temporary name is never opened: the write fails, the victim untouched", async () => {
  const { path } = configDir("planted", '{"auths":{}}');
  const victim = join(dir, "victim.txt");
  writeFileSync(victim, "untouched\n");
  symlinkSync(victim, join(dir, "planted", "planted.tmp"));
  await assert.rejects(writeThroughTemporary(path, "{}\n", () => "planted.tmp"), { code: "EEXIST" });
  writeFileSync(join(dir, "planted", "plain.tmp"), "someone else's\n");
  await assert.rejects(writeThroughTemporary(path, "{}\n", () => "plain.tmp"), { code: "EEXIST" });
  assert.equal(readFileSync(victim, "utf8"), "untouched\n");
  assert.equal(readFileSync(join(dir, "planted", "plain.tmp"), "utf8"), "someone else's\n");
  assert.equal(readFileSync(path, "utf8"), '{"auths":{}}');

  // The names the old writer used (config.json.<pid>.tmp), planted as symlinks, are left alone by a login.
  const { env } = configDir("planted");
  for (let pid = process.pid - 5; pid < process.pid + 5; pid++) symlinkSync(victim, join(dir, "planted", `config.json.${pid}.tmp`));
  await storeLogin("ghcr.io", "me", "pw", run(env));
  assert.equal(readFileSync(victim, "utf8"), "untouched\n");
  assert.ok(lstatSync(join(dir, "planted", `config.json.${process.pid}.tmp`)).isSymbolicLink());
  assert.ok(readFileSync(path, "utf8").includes("ghcr.io"));
});

test("credsStore or credHelpers: login stores through the helper (store, JSON on stdin), the file keeps an empty entry; logout erases", async () => {
  for (const [name, config] of [
    ["store", { credsStore: "keeper", auths: { "ghcr.io": { auth: b64("stale:old") } } }],
    ["helpers", { credHelpers: { "ghcr.io": "keeper" }, credsStore: "broken" }],
  ] as const) {
    rmSync(helpers.keeperStore, { force: true });
    const { env, path } = configDir(`helper-${name}`, JSON.stringify(config));
    const place = await storeLogin("ghcr.io", "carol", "pa$$word", run(env));
    assert.deepEqual(place, { path, helper: "docker-credential-keeper" });
    assert.deepEqual(JSON.parse(readFileSync(helpers.keeperStore, "utf8")), { "ghcr.io": { Username: "carol", Secret: "pa$$word" } });
    const file = readFileSync(path, "utf8");
    assert.ok(!file.includes(b64("carol:pa$$word")) && !file.includes("pa$$word"), "no password in the file");
    assert.deepEqual((JSON.parse(file) as { auths: object }).auths, { "ghcr.io": {} });
    assert.deepEqual(await dockerKeychain({ env })("ghcr.io", "x/y"), { username: "carol", password: "pa$$word" }, "what login stored is what the keychain finds");

    const out = await eraseLogin("ghcr.io", run(env));
    assert.deepEqual(out, { path, helper: "docker-credential-keeper", removed: true });
    assert.deepEqual(JSON.parse(readFileSync(helpers.keeperStore, "utf8")), {});
    assert.deepEqual((JSON.parse(readFileSync(path, "utf8")) as { auths: object }).auths, {});
    assert.deepEqual(helperCalls(helpers).slice(-3), ["keeper store ghcr.io", "keeper get ghcr.io", "keeper erase ghcr.io"]);
  }
  // Docker Hub goes to the helper under its v1 URL.
  const { env } = configDir("helper-hub", JSON.stringify({ credsStore: "keeper" }));
  await storeLogin("index.docker.io", "hubber", "pw", run(env));
  assert.equal(helperCalls(helpers).at(-1), "keeper store https://index.docker.io/v1/");
});

test("a helper that fails to store: the error names it, and the file is not changed", async () => {
  const { env, path } = configDir("helper-broken", '{"credsStore":"broken","x":1}');
  await assert.rejects(storeLogin("ghcr.io", "me", "TOPSECRET", run(env)), (error: Error) => {
    assert.equal(error.message, "Credential helper docker-credential-broken failed (exit code 2) to store the credentials for ghcr.io");
    return true;
  });
  assert.equal(readFileSync(path, "utf8"), '{"credsStore":"broken","x":1}');
});
