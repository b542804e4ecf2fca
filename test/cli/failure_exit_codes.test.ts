import assert from "node:assert/strict";
import { test } from "node:test";
import { describeFailure, EXIT } from "../../src/cli/_cli_errors.ts";
import { hasUserInfo, withoutUserInfo } from "../../src/cli/_user_info.ts";
import { rememberAuthorization } from "../../src/cli/_sent_secrets.ts";
import { terminalSafe } from "../../src/cli/_terminal_text.ts";
import { InvalidLayerSourceError, RegistryError, TimeoutError } from "../../src/index.ts";

test("a registry that stopped answering is exit 4, said as such", () => {
  const timedOut = new TimeoutError({ method: "PATCH", url: "http://127.0.0.1:5000/v2/app/blobs/uploads/abc?_state=secret" }, 500);
  const { code, message } = describeFailure(timedOut);
  assert.equal(code, EXIT.unreachable);
  assert.match(message, /timed out: PATCH http:\/\/127\.0\.0\.1:5000\/v2\/app\/blobs\/uploads\/abc: no progress for 500 ms: the registry stopped answering/);
  assert.doesNotMatch(message, /secret/);
});

test("a registry that cannot be reached is exit 4; one that answers 500 is exit 1", () => {
  const unreachable = describeFailure(new RegistryError({ method: "GET", url: "http://127.0.0.1:1/v2/" }));
  assert.equal(unreachable.code, EXIT.unreachable);
  const failed = describeFailure(new RegistryError({ method: "GET", url: "http://127.0.0.1:1/v2/", status: 500 }));
  assert.equal(failed.code, EXIT.failure);
});

test("an input the library refuses is exit 5 with a line for a shell: zeros then data, an image tarball inside a .tar.gz", () => {
  const zeros = describeFailure(new InvalidLayerSourceError("not-tar", "Invalid decompressed layer: found a 512-byte block of zeros (the end of a tar) followed by data, expected a tar"));
  assert.deepEqual(zeros, { code: EXIT.input, message: "Input is not a tar: it starts with a block of zeros (the end of a tar) followed by data" });
  const image = describeFailure(new Error("push failed", { cause: new InvalidLayerSourceError("image-tarball", "Invalid decompressed layer: found a `docker save` tarball") }));
  assert.equal(image.code, EXIT.input);
  assert.match(image.message, /^Input is an image tarball \(an OCI layout, or a `docker save` tarball\), not the tar of one layer: .*docker-archive:/);
});

test("withoutUserInfo: every spelling of user information in an argument becomes ***, a digest's @ stays", () => {
  const digest = `sha256:${"a".repeat(64)}`;
  const cases: Array<[string, string]> = [
    ["https://alice:hunter2@ghcr.io", "https://***@ghcr.io"],
    ["alice:hunter2@127.0.0.1:5000/app", "***@127.0.0.1:5000/app"],
    ["docker://alice@ghcr.io/v1/", "docker://***@ghcr.io/v1/"],
    ["alice:hunter%32@ghcr.io", "***@ghcr.io"],
    ["alice:hun/ter@ghcr.io", "***@ghcr.io"],
    ["alice:hunt@er@ghcr.io", "***@ghcr.io"],
    [`alice:pw@ghcr.io/app@${digest}`, `***@ghcr.io/app@${digest}`],
    [`ghcr.io/app:1@${digest}`, `ghcr.io/app:1@${digest}`],
    ["ghcr.io/app:1", "ghcr.io/app:1"],
  ];
  for (const [argument, shown] of cases) assert.equal(withoutUserInfo(argument), shown, argument);
  assert.equal(hasUserInfo("ghcr.io"), false);
});

test("terminalSafe cuts user information from URLs and user:password@host words, and every credential sent, leaving e-mail addresses and digests", () => {
  assert.equal(terminalSafe("Unknown command: https://alice:hunter2@ghcr.io: see"), "Unknown command: https://***@ghcr.io: see");
  assert.equal(terminalSafe('Invalid "alice:hunter2@ghcr.io:5000/app"'), 'Invalid "***@ghcr.io:5000/app"');
  assert.equal(terminalSafe("ask admin@example.com"), "ask admin@example.com");
  assert.equal(terminalSafe(`oci:/tmp/out@sha256:${"b".repeat(64)}`), `oci:/tmp/out@sha256:${"b".repeat(64)}`);
  const basic = `Basic ${btoa("carol:s3cr3t-value")}`;
  rememberAuthorization(basic);
  rememberAuthorization("Bearer tok.en.value");
  const echoed = `DENIED ${basic} (${atob(basic.slice(6))}) ${btoa("carol:s3cr3t-value").replace(/=+$/, "")} s3cr3t-value tok.en.value ${encodeURIComponent("s3cr3t-value")}`;
  assert.equal(terminalSafe(echoed), "DENIED *** (***) *** *** *** ***");
  assert.equal(terminalSafe("carol was here"), "carol was here", "the user name alone is not a secret");
});
