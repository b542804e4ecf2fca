import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBytes, parseSize } from "../../src/cli/_format.ts";
import { parsePushArgs } from "../../src/cli/_push_args.ts";

test("sizes parse with binary units and print rounded", () => {
  assert.equal(parseSize("5242880"), 5 * 1024 * 1024);
  assert.equal(parseSize("512k"), 512 * 1024);
  assert.equal(parseSize("8MiB"), 8 * 1024 * 1024);
  assert.equal(parseSize("1G"), 1024 ** 3);
  assert.throws(() => parseSize("0"), RangeError);
  assert.throws(() => parseSize("lots"), RangeError);
  assert.equal(formatBytes(8.69), "9 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
});

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
