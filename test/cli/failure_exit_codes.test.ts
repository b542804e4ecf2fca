import assert from "node:assert/strict";
import { test } from "node:test";
import { describeFailure, EXIT } from "../../src/cli/_cli_errors.ts";
import { RegistryError, TimeoutError } from "../../src/index.ts";

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
