import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { tarball } from "../image/_image_tools.ts";
import { type FakeHelpers, helperCalls, helperProcessesAfterKill, pgrepHelpers, writeCredentialHelpers } from "./_credential_helpers.ts";
import { lastLine, runCli } from "./_run_cli.ts";

let basic: RunningRegistry;
let token: RunningRegistry;
let helpers: FakeHelpers;
let layer: string;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-credentials-"));
const RESULT = /^127\.0\.0\.1:\d+\/[a-z/]+@sha256:[0-9a-f]{64}\n$/;

before(async () => {
  [basic, token] = await Promise.all([startRegistry({ auth: "basic" }), startRegistry({ auth: "token" })]);
  const user = basic.credentials!;
  helpers = writeCredentialHelpers(
    join(work, "bin"),
    { [basic.host]: { username: user.username, secret: user.password }, [token.host]: { username: user.username, secret: user.password } },
    { [token.host]: { username: "<token>", secret: token.tokenServer!.identityToken } },
  );
  layer = join(work, "layer.tar");
  writeFileSync(layer, (await tarball({ "etc/motd": "credentials\n" })).bytes);
});
after(async () => {
  await Promise.all([basic?.stop(), token?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

/** A fresh DOCKER_CONFIG holding `config`, and the environment to run with it. */
function withConfig(name: string, config: unknown, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return { DOCKER_CONFIG: dir, PATH: helpers.path, REGISTRY_AUTH_FILE: "", XDG_RUNTIME_DIR: "", ...extra };
}

function asked(): string[] {
  return helperCalls(helpers);
}

test("credHelpers: the helper named for the host is asked with the host on stdin, for the htpasswd and the token registry", async () => {
  for (const registry of [basic, token]) {
    const env = withConfig(`helpers-${registry.host.replace(/\W/g, "-")}`, { credHelpers: { [registry.host]: "good" } });
    const result = await runCli(["push", layer, `${registry.host}/helpers/app:1`], undefined, env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, RESULT);
    assert.ok(asked().includes(`good get ${registry.host}`), asked().join("|"));
  }
});

test("credsStore: used for a host with an empty auths entry, on the token registry", async () => {
  const env = withConfig("store", { auths: { [token.host]: {} }, credsStore: "good" });
  const result = await runCli(["push", layer, `${token.host}/store/app:1`], undefined, env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, RESULT);
});

test("REGISTRY_AUTH_FILE comes before containers/auth.json and Docker's config.json", async () => {
  const user = basic.credentials!;
  const good = Buffer.from(`${user.username}:${user.password}`).toString("base64");
  const bad = Buffer.from(`${user.username}:wrong`).toString("base64");
  const authFile = join(work, "registry-auth.json");
  writeFileSync(authFile, JSON.stringify({ auths: { [`https://${token.host}`]: { auth: good } } }));
  const env = withConfig("auth-file", { auths: { [token.host]: { auth: bad } } }, { REGISTRY_AUTH_FILE: authFile });
  const result = await runCli(["push", layer, `${token.host}/authfile/app:1`], undefined, env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, RESULT);

  const runtime = join(work, "run");
  mkdirSync(join(runtime, "containers"), { recursive: true });
  writeFileSync(join(runtime, "containers", "auth.json"), JSON.stringify({ auths: { [basic.host]: { auth: good } } }));
  const podman = await runCli(["push", layer, `${basic.host}/podman/app:1`], undefined, withConfig("podman", { auths: { [basic.host]: { auth: bad } } }, { XDG_RUNTIME_DIR: runtime }));
  assert.equal(podman.code, 0, podman.stderr);
});

test("an identity token (<token> as the user name) is traded at the token realm for an access token", async () => {
  const env = withConfig("identity", { credHelpers: { [token.host]: "identity" } });
  const result = await runCli(["push", layer, `${token.host}/identity/app:1`], undefined, env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, RESULT);
  assert.ok(token.tokenServer!.scopes.includes("repository:identity/app:push,pull"));

  const wrong = await runCli(["push", layer, `${token.host}/identity/app:2`], undefined, withConfig("identity-wrong", { auths: { [token.host]: { identitytoken: "not-the-token" } } }));
  assert.equal(wrong.code, 3);
  assert.match(lastLine(wrong.stderr), /^streamlayer: Credentials refused: Registry request failed: POST http:\/\/127\.0\.0\.1:\d+\/token: HTTP 401: the token server refused the identity token/);
  assert.ok(!wrong.stderr.includes("not-the-token"));
});

test("a failing or missing helper: exit 3 and one line naming it, never its output", async () => {
  const failing = await runCli(["push", layer, `${basic.host}/broken/app:1`], undefined, withConfig("broken", { credHelpers: { [basic.host]: "broken" } }));
  assert.equal(failing.code, 3);
  assert.equal(failing.stderr.trim().split("\n").filter((line) => line.startsWith("streamlayer:")).length, 1);
  assert.equal(lastLine(failing.stderr), `streamlayer: Credential helper docker-credential-broken failed (exit code 2) for ${basic.host}`);
  assert.ok(!`${failing.stdout}${failing.stderr}`.includes("TOPSECRET"), "the helper's output is never shown");

  const missing = await runCli(["push", layer, `${basic.host}/absent/app:1`], undefined, withConfig("absent", { credsStore: "absent" }));
  assert.equal(missing.code, 3);
  assert.equal(lastLine(missing.stderr), "streamlayer: Credential helper docker-credential-absent was not found on the PATH");
});

test("login, then a push from stdin, then logout: Docker's config.json gains and loses the auths entry", async () => {
  const env = withConfig("login", { credHelpers: { "other.example": "good" } });
  const configPath = join(env.DOCKER_CONFIG!, "config.json");
  const { username, password } = basic.credentials!;
  const login = await runCli(["login", `https://${basic.host}`, "-u", username, "--password-stdin"], `${password}\n`, env);
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, "");
  const written = JSON.parse(readFileSync(configPath, "utf8")) as { auths: Record<string, { auth: string }>; credHelpers: unknown };
  assert.deepEqual(written.credHelpers, { "other.example": "good" }, "other fields are kept");
  assert.equal(Buffer.from(written.auths[basic.host]!.auth, "base64").toString(), `${username}:${password}`);

  const { bytes } = await tarball({ "from/stdin": "after login\n" });
  const pushed = await runCli(["push", "-", `docker://${basic.host}/login/app:1`], bytes, env);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, RESULT);

  const logout = await runCli(["logout", basic.host], undefined, env);
  assert.equal(logout.code, 0, logout.stderr);
  assert.deepEqual((JSON.parse(readFileSync(configPath, "utf8")) as { auths: object }).auths, {});
  const after = await runCli(["push", "-", `${basic.host}/login/app:2`], bytes, env);
  assert.equal(after.code, 3);
  assert.match(lastLine(after.stderr), new RegExp(`^streamlayer: ${basic.host} wants credentials: `));
});

test("host/namespace keys: a push to team-b never sends team-a's account; the longest key of the repository wins", async () => {
  const user = basic.credentials!;
  const good = Buffer.from(`${user.username}:${user.password}`).toString("base64");
  const bad = Buffer.from(`${user.username}:wrong`).toString("base64");
  const onlyTeamA = withConfig("namespace-only", { auths: { [`${basic.host}/team-a`]: { auth: good } } });
  const teamA = await runCli(["push", layer, `${basic.host}/team-a/app:1`], undefined, onlyTeamA);
  assert.equal(teamA.code, 0, teamA.stderr);
  const teamB = await runCli(["push", layer, `${basic.host}/team-b/app:1`], undefined, onlyTeamA);
  assert.equal(teamB.code, 3, "team-a's account was not sent: the registry would have taken it");
  assert.match(lastLine(teamB.stderr), new RegExp(`^streamlayer: ${basic.host} wants credentials: `));

  const both = withConfig("namespace-both", { auths: { [basic.host]: { auth: bad }, [`${basic.host}/team-a`]: { auth: good }, [`${basic.host}/team-a/web`]: { auth: bad } } });
  assert.equal((await runCli(["push", layer, `${basic.host}/team-a/app:2`], undefined, both)).code, 0);
  assert.equal((await runCli(["push", layer, `${basic.host}/team-a/web/app:2`], undefined, both)).code, 3, "the longer key wins");
  assert.equal((await runCli(["push", layer, `${basic.host}/team-b/app:2`], undefined, both)).code, 3, "the host key for the rest");
});

for (const [helper, message] of [
  ["hanging", "did not answer within 1.5 s"],
  ["flooding", "answered more than 1 MiB"],
] as const) {
  test(`a ${helper} wrapper-script helper: exit 3 within the deadline and a few seconds, nothing left running`, async () => {
    const env = withConfig(`process-${helper}`, { credHelpers: { [basic.host]: helper } }, { STREAMLAYER_HELPER_TIMEOUT_MS: "1500" });
    const started = performance.now();
    const result = await runCli(["push", layer, `${basic.host}/${helper}/app:1`], undefined, env);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 3, result.stderr);
    assert.equal(lastLine(result.stderr), `streamlayer: Credential helper docker-credential-${helper} ${message}`);
    assert.ok(!result.stderr.includes("flooding-output"));
    // A bound on a hang, not a speed test: the old CLI never exited at all.
    assert.ok(seconds < 1.5 + 15, `exited after ${seconds.toFixed(1)} s`);
    assert.deepEqual(await helperProcessesAfterKill(helpers), []);
    assert.deepEqual(pgrepHelpers(join(work, "bin")), []);
  });
}

test("login writes onto a symlinked config.json's target, keeps the symlink and every value as written, and never follows a planted temporary name", async () => {
  const dotfiles = join(work, "dotfiles");
  mkdirSync(dotfiles, { recursive: true });
  const original = '{"credHelpers":{"other.example":"good"},"limits":{"big":9007199254740993,"bigger":123456789012345678901234567890}}';
  writeFileSync(join(dotfiles, "docker.json"), original);
  const configDir = join(work, "login-symlink");
  mkdirSync(configDir, { recursive: true });
  symlinkSync(join(dotfiles, "docker.json"), join(configDir, "config.json"));
  const victim = join(work, "victim.txt");
  writeFileSync(victim, "untouched\n");
  // The predictable names of the old writer, planted: <path>.<pid>.tmp for the pids around now.
  for (const directory of [configDir, dotfiles]) for (let i = 0; i < 50; i++) symlinkSync(victim, join(directory, `${directory === configDir ? "config.json" : "docker.json"}.${process.pid + i}.tmp`));
  const env = { DOCKER_CONFIG: configDir, PATH: helpers.path, REGISTRY_AUTH_FILE: "", XDG_RUNTIME_DIR: "" };
  const { username, password } = basic.credentials!;
  const login = await runCli(["login", basic.host, "-u", username, "--password-stdin"], `${password}\n`, env);
  assert.equal(login.code, 0, login.stderr);
  assert.ok(lstatSync(join(configDir, "config.json")).isSymbolicLink(), "still a symlink");
  assert.equal(readFileSync(victim, "utf8"), "untouched\n");
  const written = readFileSync(join(dotfiles, "docker.json"), "utf8");
  assert.match(written, /"big": 9007199254740993,/);
  assert.match(written, /"bigger": 123456789012345678901234567890\n/);
  assert.equal(statSync(join(dotfiles, "docker.json")).mode & 0o777, 0o600);
  assert.equal(readdirSync(dotfiles).filter((name) => !name.includes(".tmp")).join(), "docker.json");
  assert.ok(readdirSync(dotfiles).filter((name) => name.includes(".tmp")).every((name) => lstatSync(join(dotfiles, name)).isSymbolicLink()), "only the planted names, still symlinks");
  const pushed = await runCli(["push", layer, `${basic.host}/symlinked/app:1`], undefined, env);
  assert.equal(pushed.code, 0, pushed.stderr);
});

test("login and logout through the credential helper config.json names: store, then get for the push, then erase; no password in the file", async () => {
  const env = withConfig("login-helper", { credsStore: "keeper" });
  const configPath = join(env.DOCKER_CONFIG!, "config.json");
  const { username, password } = basic.credentials!;
  const login = await runCli(["login", basic.host, "-u", username, "--password-stdin"], `${password}\n`, env);
  assert.equal(login.code, 0, login.stderr);
  assert.equal(lastLine(login.stderr), `Logged in to ${basic.host}: credentials stored in docker-credential-keeper (as ${configPath} says)`);
  assert.ok(!readFileSync(configPath, "utf8").includes(Buffer.from(`${username}:${password}`).toString("base64")));
  assert.deepEqual((JSON.parse(readFileSync(configPath, "utf8")) as { auths: object }).auths, { [basic.host]: {} });
  assert.deepEqual(JSON.parse(readFileSync(helpers.keeperStore, "utf8")), { [basic.host]: { Username: username, Secret: password } });

  const pushed = await runCli(["push", layer, `${basic.host}/keeper/app:1`], undefined, env);
  assert.equal(pushed.code, 0, pushed.stderr);
  const logout = await runCli(["logout", basic.host], undefined, env);
  assert.equal(logout.code, 0, logout.stderr);
  assert.equal(lastLine(logout.stderr), `Logged out of ${basic.host}: removed from docker-credential-keeper and ${configPath}`);
  assert.deepEqual(JSON.parse(readFileSync(helpers.keeperStore, "utf8")), {});
  assert.deepEqual(asked().filter((line) => line.startsWith("keeper")).slice(-3), [`keeper store ${basic.host}`, `keeper get ${basic.host}`, `keeper erase ${basic.host}`]);
  const after = await runCli(["push", layer, `${basic.host}/keeper/app:2`], undefined, env);
  assert.equal(after.code, 3);
});
