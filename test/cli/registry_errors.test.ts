import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { tarball } from "../image/_image_tools.ts";
import { lastLine, runCli } from "./_run_cli.ts";

// ESC, OSC (retitles the window), BEL, CSI (clears the screen), CR and a bidi override.
const HOSTILE = "\x1b]0;owned\x07\x1b[2J\r\u202e";

let hostile: { host: string; stop(): Promise<void> };
let token: RunningRegistry;
before(async () => {
  // A registry that answers /v2/ and then refuses everything, with control characters in its codes and messages.
  const server = createServer((request, response) => {
    const url = request.url ?? "/";
    if (url === "/v2/") return void response.writeHead(200).end("{}");
    if (request.method === "HEAD") return void response.writeHead(404).end();
    const status = url.startsWith("/v2/denied/") ? 403 : 500;
    const code = status === 403 ? `DENIED${HOSTILE}` : `BROKEN${HOSTILE}`;
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ errors: [{ code, message: `requested access to the resource is denied${HOSTILE}\nsecond line` }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hostile = {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  token = await startRegistry({ auth: "token" });
});
after(async () => {
  await Promise.all([hostile?.stop(), token?.stop()]);
});

function assertNoControl(text: string): void {
  assert.doesNotMatch(text.replace(/\n/g, ""), /[\x00-\x1f\x7f-\x9f\u202e]/, JSON.stringify(text));
}

test("a 403 says denied and shows the registry's message, its control characters escaped", async () => {
  const { bytes } = await tarball({ denied: "yes" });
  const result = await runCli(["push", "-", `${hostile.host}/denied/app:1`], bytes);
  assert.equal(result.code, 3);
  assertNoControl(result.stderr);
  const line = lastLine(result.stderr);
  assert.match(line, /^streamlayer: Access denied: Registry request failed: POST .*: HTTP 403: DENIED\\x1b\]0;owned\\x07\\x1b\[2J \\u202e: /);
  assert.match(line, /the registry says: requested access to the resource is denied\\x1b\]0;owned\\x07.*second line$/);
});

test("any other registry error reaches the terminal escaped too", async () => {
  const { bytes } = await tarball({ broken: "yes" });
  const result = await runCli(["push", "-", `${hostile.host}/broken/app:1`], bytes);
  assert.equal(result.code, 1);
  assertNoControl(result.stderr);
  assert.match(lastLine(result.stderr), /HTTP 500: BROKEN\\x1b\]0;owned\\x07/);
});

test("an anonymous 401 from a token registry says that it wants credentials, and how to give them", async () => {
  const { bytes } = await tarball({ anonymous: "yes" });
  const result = await runCli(["push", "-", `${token.host}/anonymous/app:1`], bytes);
  assert.equal(result.code, 3);
  assert.match(lastLine(result.stderr), new RegExp(`^streamlayer: ${token.host} wants credentials: .*HTTP 401.*streamlayer login ${token.host} --username <name> --password-stdin.*credential helper$`));
});
