import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, type InspectedConfig, skopeoJson, tarball } from "../image/_image_tools.ts";
import { sha256 } from "../support/tools.ts";
import { lastLine, runCli } from "./_run_cli.ts";

let open: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-inputs-"));
before(async () => {
  open = await startRegistry();
});
after(async () => {
  await open?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("a .tar.gz (told by its bytes, from a file or stdin) is pushed as it is, beside a plain tar", async () => {
  const zipped = await tarball({ "already/compressed": "gz\n" });
  const plain = await tarball({ "plain/tar": "tar\n" });
  const tarPath = join(work, "zipped.tar");
  writeFileSync(tarPath, zipped.bytes);
  // gzip(1) made it, not us: its bytes must be the blob, byte for byte.
  const gz = new Uint8Array(execFileSync("gzip", ["-n", "-c", tarPath]));
  writeFileSync(join(work, "layer.bin"), gz);
  writeFileSync(join(work, "plain.tar"), plain.bytes);
  const reference = `${open.host}/inputs/mixed:1`;
  const result = await runCli(["push", "-f", join(work, "layer.bin"), "-f", join(work, "plain.tar"), "-f", "-", reference], gz);
  assert.equal(result.code, 0, result.stderr);
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`);
  assert.equal(inspect.Layers[0], sha256(gz));
  assert.equal(inspect.Layers[2], sha256(gz));
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [zipped.diffID, plain.diffID, zipped.diffID]);
  assert.equal(result.stdout, `${open.host}/inputs/mixed@${inspect.Digest}\n`);
});

test("input that is not a tar ends with exit 5 and one line", async () => {
  const text = new TextEncoder().encode("this is a README, not a tarball\n".repeat(40));
  const result = await runCli(["push", "-", `${open.host}/inputs/text:1`], text);
  assert.equal(result.code, 5, result.stderr);
  assert.equal(result.stderr.trim().split("\n").filter((line) => line.startsWith("streamlayer:")).length, 1);
  assert.match(lastLine(result.stderr), /^streamlayer: Input is not a tar: give an uncompressed tar, or a .tar.gz$/);
});
