import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dockerConfigCredentials, dockerConfigPath } from "../../src/cli/_docker_config.ts";

const dir = mkdtempSync(join(tmpdir(), "streamlayer-docker-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (text: string): string => Buffer.from(text).toString("base64");

test("auths entries are found by host, by URL, and Docker Hub by its v1 URL", async () => {
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify({
    auths: {
      "127.0.0.1:5000": { auth: b64("alice:pa:ss") },
      "https://ghcr.io": { username: "bob", password: "token" },
      "https://index.docker.io/v1/": { auth: b64("carol:hub") },
      "registry.example": { registrytoken: "ready" },
    },
  }));
  assert.deepEqual(await dockerConfigCredentials("127.0.0.1:5000", path), { username: "alice", password: "pa:ss" });
  assert.deepEqual(await dockerConfigCredentials("ghcr.io", path), { username: "bob", password: "token" });
  assert.deepEqual(await dockerConfigCredentials("index.docker.io", path), { username: "carol", password: "hub" });
  assert.deepEqual(await dockerConfigCredentials("registry.example", path), { token: "ready" });
  assert.equal(await dockerConfigCredentials("quay.io", path), undefined);
  assert.equal(await dockerConfigCredentials("quay.io", join(dir, "missing.json")), undefined);
  writeFileSync(join(dir, "bad.json"), "{");
  await assert.rejects(dockerConfigCredentials("quay.io", join(dir, "bad.json")), SyntaxError);
  // A broken file must not put a piece of a credential into the message the command prints.
  writeFileSync(join(dir, "leaky.json"), `{"auths":{"quay.io":{"auth":${b64("alice:s3cret")}}}}`);
  await assert.rejects(dockerConfigCredentials("quay.io", join(dir, "leaky.json")), (error: Error) => {
    assert.ok(error instanceof SyntaxError);
    assert.match(error.message, /^Cannot parse Docker config: .*leaky\.json: not valid JSON$/);
    assert.ok(!error.message.includes(b64("alice:s3cret").slice(0, 6)), error.message);
    return true;
  });
  assert.equal(dockerConfigPath({ DOCKER_CONFIG: "/cfg" }), "/cfg/config.json");
});
