// A credential helper that never answers, or never stops answering, is
// killed at its deadline with every process it started (its process group),
// and leaves nothing behind that keeps the caller alive.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CredentialHelperError, dockerKeychain } from "../../src/keychain/index.ts";
import { helperProcessesAfterKill, pgrepHelpers, writeCredentialHelpers } from "../cli/_credential_helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "streamlayer-keychain-helpers-"));
const bin = join(dir, "bin");
const helpers = writeCredentialHelpers(bin);
after(() => rmSync(dir, { recursive: true, force: true }));

function keychainWith(helper: string, helperTimeout: number) {
  const config = join(dir, helper);
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, "config.json"), JSON.stringify({ credHelpers: { "ghcr.io": helper } }));
  return dockerKeychain({ env: { DOCKER_CONFIG: config, PATH: helpers.path }, helperTimeout });
}

// What holds the event loop open: child processes and pipes are what a helper left behind would show as.
function heldOpen(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => kind === "ProcessWrap" || kind === "PipeWrap");
}

/** Waits for the kernel to finish with what was killed (a SIGKILLed group is gone within moments, not at once). */
async function settled(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

test("a wrapper script whose child sleeps for ever: killed with its child at the deadline", async () => {
  const before = heldOpen().length;
  await assert.rejects(keychainWith("hanging", 500)("ghcr.io", "team/app"), (error: Error) => {
    assert.ok(error instanceof CredentialHelperError);
    assert.equal(error.message, "Credential helper docker-credential-hanging did not answer within 0.5 s");
    return true;
  });
  assert.deepEqual(await helperProcessesAfterKill(helpers), [], "still running");
  assert.deepEqual(pgrepHelpers(bin), [], "pgrep -f finds nothing of the helper");
  assert.ok(await settled(() => heldOpen().length <= before), `held open: ${heldOpen().join(", ")}`);
});

test("a wrapper script whose child writes without end: killed with its child past 1 MiB", async () => {
  const before = heldOpen().length;
  // The deadline is far: the output's bound is what stops it.
  await assert.rejects(keychainWith("flooding", 600_000)("ghcr.io", "team/app"), (error: Error) => {
    assert.ok(error instanceof CredentialHelperError);
    assert.equal(error.message, "Credential helper docker-credential-flooding answered more than 1 MiB");
    assert.ok(!error.message.includes("flooding-output"));
    return true;
  });
  assert.deepEqual(await helperProcessesAfterKill(helpers), [], "still running");
  assert.deepEqual(pgrepHelpers(bin), []);
  assert.ok(await settled(() => heldOpen().length <= before), `held open: ${heldOpen().join(", ")}`);
});

test("a helper that answers and exits, leaving a child that holds its stdout: the answer is taken, the child killed", async () => {
  // Were the child left holding the pipe, the answer would wait for the deadline: 10 minutes here.
  const credentials = await keychainWith("lingering", 600_000)("ghcr.io", "team/app");
  assert.deepEqual(credentials, { username: "lingering-user", password: "lingering-secret" });
  assert.deepEqual(await helperProcessesAfterKill(helpers), [], "still running");
  assert.deepEqual(pgrepHelpers(bin), []);
});
