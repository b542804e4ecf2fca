import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const dir = mkdtempSync(join(tmpdir(), "streamlayer-demo-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function runDemo(target: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", "src/cli/demo.ts", target], { encoding: "utf8" });
}

test("the demo writes a layout skopeo accepts, prints how to look at it, and is reproducible", () => {
  const first = join(dir, "one");
  const second = join(dir, "two");
  const output = runDemo(first);
  assert.match(output, new RegExp(`skopeo inspect oci:${first.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:demo`));
  const inspect = JSON.parse(execFileSync("skopeo", ["inspect", `oci:${first}:demo`], { encoding: "utf8" })) as { Digest: string; Layers: string[] };
  assert.equal(inspect.Layers.length, 1);
  assert.ok(output.includes(inspect.Digest), "the printed manifest digest is the one skopeo sees");
  assert.ok(output.includes(inspect.Layers[0] ?? "missing"));
  const listing = execFileSync("tar", ["-tzf", join(first, "blobs", "sha256", (inspect.Layers[0] ?? "").slice(7))], { encoding: "utf8" });
  assert.deepEqual(listing.trim().split("\n"), [
    "bin/", "bin/hello", "etc/", "etc/os-release", "hello.txt", "usr/", "usr/share/", "usr/share/hello/", "usr/share/hello/README",
  ]);
  runDemo(second);
  const again = JSON.parse(execFileSync("skopeo", ["inspect", `oci:${second}:demo`], { encoding: "utf8" })) as { Digest: string };
  assert.equal(again.Digest, inspect.Digest);
});
