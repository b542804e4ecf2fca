import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, skopeo, skopeoJson, tarball } from "../image/_image_tools.ts";
import { runCli } from "./_run_cli.ts";

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
}

/**
 * A registry of our own in front of a real one, on its own port (so another
 * host): it wants a Bearer token from its own realm, records the
 * Authorization header of every request (realm included), and forwards
 * authorized reads to the registry behind it.
 */
async function startRecordingFront(behind: string): Promise<{ host: string; seen: Seen[]; stop(): Promise<void> }> {
  const seen: Seen[] = [];
  let realm = "";
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = request.url ?? "/";
    seen.push({ method: request.method ?? "", path: url.split("?")[0] ?? "", authorization: request.headers.authorization });
    if (url.startsWith("/token")) {
      response.writeHead(200, { "content-type": "application/json" }).end('{"token":"front-token","expires_in":300}');
      return;
    }
    if (request.headers.authorization !== "Bearer front-token") {
      response.writeHead(401, { "www-authenticate": `Bearer realm="${realm}",service="front"`, "content-type": "application/json" });
      response.end('{"errors":[{"code":"UNAUTHORIZED","message":"token wanted"}]}');
      return;
    }
    const answer = await fetch(`${behind}${url}`, { method: request.method, headers: { accept: request.headers.accept ?? "*/*" } });
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "docker-content-digest", "content-length"]) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const body = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, headers).end(request.method === "HEAD" ? undefined : body);
  };
  const server = createServer((request, response) => void handle(request, response).catch(() => response.writeHead(502).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  realm = `http://127.0.0.1:${port}/token`;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

let open: RunningRegistry;
let basic: RunningRegistry;
let front: Awaited<ReturnType<typeof startRecordingFront>>;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-destination-"));
before(async () => {
  [open, basic] = await Promise.all([startRegistry(), startRegistry({ auth: "basic" })]);
  front = await startRecordingFront(open.url);
});
after(async () => {
  await Promise.all([open?.stop(), basic?.stop(), front?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

test("--username/--password-stdin go to the destination only: never to a --base on another host, nor to its token realm", async () => {
  const base = await tarball({ "base/file": "base" });
  const made = await runCli(["push", "-", `oci:${join(work, "base")}:base`], base.bytes);
  assert.equal(made.code, 0, made.stderr);
  await skopeo("copy", "--dest-tls-verify=false", `oci:${join(work, "base")}:base`, `docker://${open.host}/base/image:1`);

  const ours = await tarball({ "app/file": "ours" });
  const file = join(work, "ours.tar");
  writeFileSync(file, ours.bytes);
  const { username, password } = basic.credentials!;
  const destination = `${basic.host}/app/secured:1`;
  const result = await runCli(["push", "--username", username, "--password-stdin", "--base", `${front.host}/base/image:1`, file, destination], `${password}\n`);
  assert.equal(result.code, 0, result.stderr);

  const basicAuth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  assert.ok(front.seen.some((request) => request.path === "/token"), "the base's token realm was asked");
  assert.ok(front.seen.some((request) => request.path.includes("/manifests/")), "the base was read through the front");
  for (const request of front.seen) {
    assert.ok(request.authorization === undefined || request.authorization === "Bearer front-token", `${request.method} ${request.path} got ${request.authorization}`);
    assert.notEqual(request.authorization, basicAuth);
  }
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", "--creds", `${username}:${password}`, `docker://${destination}`);
  assert.equal(inspect.Layers.length, 2, "the base's layer, then ours");
  assert.equal(result.stdout, `${basic.host}/app/secured@${inspect.Digest}\n`);
});
