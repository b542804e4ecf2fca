import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBytes, parseSize } from "../../src/cli/_format.ts";

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
