import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePushArgs } from "../../src/cli/_push_args.ts";

test("push arguments are checked before anything is read", () => {
  const args = parsePushArgs(["--chunk-size", "4MiB", "--platform", "linux/arm/v7", "--upload", "stream", "-l", "9", "in.tar", "oci:out"]);
  assert.equal(args.chunkSize, 4 * 1024 * 1024);
  assert.deepEqual(args.platform, { os: "linux", architecture: "arm", variant: "v7" });
  assert.equal(args.upload, "stream");
  assert.equal(args.level, 9);
  assert.throws(() => parsePushArgs(["only-one"]), /needs <file\|-> and <destination>/);
  assert.throws(() => parsePushArgs(["--nope", "a", "b"]), { code: "USAGE" });
  assert.throws(() => parsePushArgs(["--username", "u", "a", "b"]), /needs --password-stdin/);
  assert.throws(() => parsePushArgs(["--username", "u", "--password-stdin", "-", "b"]), /input must be a file/);
  assert.throws(() => parsePushArgs(["--blob", "--base", "x/y", "a", "b"]), /cannot take --base/);
  assert.throws(() => parsePushArgs(["--platform", "linux", "a", "b"]), /Invalid --platform/);
  assert.throws(() => parsePushArgs(["--media-type", "zip", "a", "b"]), /Invalid --media-type/);
  assert.throws(() => parsePushArgs(["--upload", "fast", "a", "b"]), /Invalid --upload/);
});
