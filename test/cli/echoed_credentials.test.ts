// A registry that echoes the Authorization header it was sent (in its error
// body, its challenge, its detail) must not get the CLI to print it: no
// password, no base64 of user:password, no "Basic …", no bearer token, on
// stdout or stderr. A proxy of ours in front of a real registry (basic and
// token auth) does the echoing, and records every Authorization it saw: each
// of those, and what it encodes, is looked for in the output.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { answer, hostile, type Hostile } from "../registry/_hostile.ts";
import { startFaultProxy, type FaultAction, type FaultProxy, type ProxiedRequest } from "../support/fault_proxy.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { tarball } from "../image/_image_tools.ts";
import { type CliResult, runCli } from "./_run_cli.ts";

const work = mkdtempSync(join(tmpdir(), "streamlayer-echo-"));
let basic: RunningRegistry;
let token: RunningRegistry;
let layerFile: string;

before(async () => {
  [basic, token] = await Promise.all([startRegistry({ auth: "basic" }), startRegistry({ auth: "token" })]);
  layerFile = join(work, "layer.tar");
  writeFileSync(layerFile, (await tarball({ "etc/motd": "echo\n" })).bytes);
});
after(async () => {
  await Promise.all([basic?.stop(), token?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

/** Every spelling of what an Authorization value carries. */
function secretsOf(authorization: string): string[] {
  const [, credential = ""] = authorization.split(" ");
  const found = [authorization, credential, credential.replace(/=+$/, "")];
  if (/^basic /i.test(authorization)) {
    const decoded = Buffer.from(credential, "base64").toString("utf8");
    found.push(decoded, decoded.slice(decoded.indexOf(":") + 1));
  }
  return found.filter((secret) => secret.length >= 4);
}

function assertNoSecret(result: CliResult, seen: string[], password: string, what: string): void {
  const output = result.stdout + result.stderr;
  const secrets = new Set([password, Buffer.from(`streamlayer:${password}`).toString("base64"), ...seen.flatMap(secretsOf)]);
  for (const secret of secrets) assert.ok(!output.includes(secret), `${what}: the output holds ${JSON.stringify(secret)}:\n${output}`);
}

/** Answers in the registry's place, echoing what it was sent, once the client sends credentials on `method path`. */
function echoOn(method: string, path: RegExp, status: number, seen: string[], where: "body" | "challenge" | "both"): (request: ProxiedRequest) => FaultAction | undefined {
  return (request) => {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) seen.push(authorization);
    if (authorization === undefined || request.method !== method || !path.test(request.url)) return undefined;
    const decoded = /^basic /i.test(authorization) ? Buffer.from(authorization.slice(6), "base64").toString("utf8") : "";
    const said = `you sent "${authorization}" (${decoded}), JSON-escaped ${JSON.stringify(authorization).slice(1, -1)}`;
    const body = JSON.stringify({ errors: [{ code: status === 403 ? "DENIED" : status === 401 ? "UNAUTHORIZED" : "MANIFEST_INVALID", message: where === "challenge" ? "no" : said, detail: { authorization } }] });
    const headers: Record<string, string> = where === "body" ? {} : { "www-authenticate": `Basic realm="${authorization} ${decoded}"`, "x-echo": authorization };
    return { kind: "respond", status, headers, body };
  };
}

async function withProxy(target: RunningRegistry, rule: (seen: string[]) => (request: ProxiedRequest) => FaultAction | undefined, run: (proxy: FaultProxy, seen: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = [];
  const proxy = await startFaultProxy(target.url, rule(seen));
  try {
    await run(proxy, seen);
  } finally {
    await proxy.stop();
  }
}

test("basic auth, --password-stdin: a registry echoing Authorization in its error body or challenge gets *** printed, never the secret", async () => {
  const password = basic.credentials!.password;
  const cases: Array<[string, (seen: string[]) => (request: ProxiedRequest) => FaultAction | undefined, number]> = [
    ["a 400 on the manifest, echoed in the body", (seen) => echoOn("PUT", /\/manifests\//, 400, seen, "body"), 1],
    ["a 403 on the upload, echoed in body and challenge", (seen) => echoOn("POST", /\/blobs\/uploads\/$/, 403, seen, "both"), 3],
    ["a 401 with credentials, echoed in body and challenge", (seen) => echoOn("POST", /\/blobs\/uploads\/$/, 401, seen, "both"), 3],
  ];
  for (const [what, rule, exit] of cases) {
    await withProxy(basic, rule, async (proxy, seen) => {
      const result = await runCli(["push", "-u", "streamlayer", "--password-stdin", layerFile, `${proxy.host}/echo/app:1`], `${password}\n`);
      assert.equal(result.code, exit, `${what}: ${result.stderr}`);
      assert.ok(seen.some((value) => /^Basic /.test(value)), `${what}: the client sent Basic credentials`);
      assert.match(result.stderr, /\*\*\*/, `${what}: the registry's words are shown, the secret cut: ${result.stderr}`);
      assertNoSecret(result, seen, password, what);
    });
  }
});

test("basic auth from config.json: an echo is cut the same way", async () => {
  const password = basic.credentials!.password;
  await withProxy(basic, (seen) => echoOn("PUT", /\/manifests\//, 400, seen, "both"), async (proxy, seen) => {
    const config = join(work, "docker");
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from(`streamlayer:${password}`).toString("base64") } } }));
    const result = await runCli(["push", layerFile, `${proxy.host}/echo/app:2`], "", { DOCKER_CONFIG: config });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /MANIFEST_INVALID.*\*\*\*/);
    assertNoSecret(result, seen, password, "config.json");
  });
});

test("token auth: the bearer token echoed by the registry, and the Basic sent to the realm, are never printed", async () => {
  const password = token.credentials!.password;
  await withProxy(token, (seen) => echoOn("PUT", /\/manifests\//, 403, seen, "both"), async (proxy, seen) => {
    const result = await runCli(["push", "-u", "streamlayer", "--password-stdin", layerFile, `${proxy.host}/echo/app:3`], `${password}\n`);
    assert.equal(result.code, 3, result.stderr);
    assert.ok(seen.some((value) => /^Bearer /.test(value)), "the registry got a bearer token");
    assert.match(result.stderr, /Access denied.*DENIED.*\*\*\*/);
    assertNoSecret(result, seen, password, "token");
  });
});

/**
 * A registry of ours that wants a Bearer token from its own realm, where the
 * realm refuses whatever it is sent and echoes it: the Basic header of a GET,
 * or the form of an identity token's POST.
 */
async function startEchoingRealm(): Promise<Hostile & { sent: string[] }> {
  const sent: string[] = [];
  let realm = "";
  const server = await hostile((request, response, url) => {
    if (url.pathname !== "/token") {
      return answer(response, 401, { "www-authenticate": `Bearer realm="${realm}",service="echo"`, "content-type": "application/json" }, '{"errors":[{"code":"UNAUTHORIZED","message":"token wanted"}]}');
    }
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const said = request.headers.authorization ?? new URLSearchParams(body).get("refresh_token") ?? "";
      sent.push(said);
      answer(response, 401, { "content-type": "application/json", "www-authenticate": `Basic realm="${said}"` }, JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: `refused ${said} from ${body}` }], error: said }));
    });
  });
  realm = `http://${server.host}/token`;
  return { ...server, sent };
}

test("a token realm echoing the Basic header, or an identity token's form, gets neither printed", async () => {
  const realm = await startEchoingRealm();
  try {
    const password = "realm-pa55word";
    const withPassword = await runCli(["push", "-u", "streamlayer", "--password-stdin", layerFile, `${realm.host}/echo/app:4`], `${password}\n`);
    assert.equal(withPassword.code, 3, withPassword.stderr);
    assert.ok(realm.sent.some((value) => /^Basic /.test(value)), "the realm got Basic credentials");
    assert.match(withPassword.stderr, /\*\*\*/);
    assertNoSecret(withPassword, realm.sent, password, "realm, Basic");

    const identityToken = "refresh-7f3e-identity-token";
    const config = join(work, "identity");
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [realm.host]: { identitytoken: identityToken } } }));
    const withToken = await runCli(["push", layerFile, `${realm.host}/echo/app:5`], "", { DOCKER_CONFIG: config });
    assert.equal(withToken.code, 3, withToken.stderr);
    assert.ok(realm.sent.includes(identityToken), "the realm got the identity token in the grant's form");
    assertNoSecret(withToken, realm.sent, identityToken, "realm, identity token");
  } finally {
    await realm.stop();
  }
});
