// A registry that answers with what URL or JSON cannot hold: the CLI must
// end with a typed failure (exit 1, the registry is at fault), not a bare
// TypeError reported as bad usage (exit 2).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createTarStream } from "../../src/index.ts";
import { runCli } from "./_run_cli.ts";

let server: Server;
let registry: string;

before(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    if (path === "/v2/") return response.writeHead(200).end("{}");
    if (request.method === "POST" && path.startsWith("/v2/bad-location/blobs/uploads/")) {
      return response.writeHead(202, { location: "http://[::1" }).end();
    }
    if (path === "/v2/null-config/manifests/1") {
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: null, layers: [] });
      return response.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(manifest);
    }
    response.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server.close());

const tar = async () => new Uint8Array(await new Response(createTarStream([{ path: "a.txt", data: "a\n" }])).arrayBuffer());

test("a malformed upload Location: exit 1 with a registry error, not exit 2", async () => {
  const { code, stderr } = await runCli(["push", "--blob", "-", `${registry}/bad-location`], await tar());
  assert.equal(code, 1, stderr);
  assert.match(stderr, /Location header is not a valid URL/);
  assert.doesNotMatch(stderr, /TypeError/);
});

test('a base whose manifest has "config": null: exit 1 with an unsupported image, not exit 2', async () => {
  const { code, stderr } = await runCli(["push", "--base", `${registry}/null-config:1`, "-", `${registry}/app:1`], await tar());
  assert.equal(code, 1, stderr);
  assert.match(stderr, /Unsupported image/);
  assert.doesNotMatch(stderr, /TypeError/);
});

test("a registry with an impossible port or address is a bad reference, named as such", async () => {
  for (const [destination, problem] of [["127.0.0.1:99999/app", /port 99999/], ["10.256.0.0/app", /not a valid IPv4 address/]] as const) {
    const { code, stderr } = await runCli(["push", "-", destination], await tar());
    assert.equal(code, 2, stderr);
    assert.match(stderr, problem);
  }
});
