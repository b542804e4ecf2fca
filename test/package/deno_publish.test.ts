// `deno publish --dry-run` (what JSR will take: jsr.json's
// exports, slow types, dynamic imports) passes with no warning. It needs no
// network beyond what node_modules already holds: the dry run does not reach JSR.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { bin, root } from "./_packed.ts";

test("deno publish --dry-run succeeds with no warning", () => {
  const result = spawnSync(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, output);
  assert.match(output, /Dry run complete/);
  assert.deepEqual(output.split("\n").filter((line) => /warning/i.test(line)), []);
});
