// `streamlayer push --compression zstd`: a tar from stdin becomes an OCI
// tar+zstd layer that skopeo copies (verifying every blob) and zstd -d
// restores; a .tar.zst file is pushed as it is (the same digest as the file);
// bad levels, and zstd with Docker's format, are usage errors.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { skopeo, skopeoJson, tarball, type InspectedConfig } from "../image/_image_tools.ts";
import { sha256 } from "../support/tools.ts";
import { runCli } from "./_run_cli.ts";

const ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

interface PushResult {
  descriptor: { digest: string };
  layer: { mediaType?: string; digest: string; diffID: string; size: number };
}

interface RawManifest {
  layers: { mediaType: string; digest: string }[];
}

let registry: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-zstd-"));
before(async () => (registry = await startRegistry()));
after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("a tar from stdin with --compression zstd --level 9: an OCI zstd layer that skopeo copies and zstd -d restores", async () => {
  const { bytes, diffID } = await tarball({ "etc/zstd.txt": "from the CLI\n".repeat(100) });
  const reference = `${registry.host}/cli/zstd:1`;
  const result = await runCli(["push", "--json", "--compression", "zstd", "--level", "9", "-", reference], bytes);
  const fast = await runCli(["push", "--json", "--compression", "zstd", "--level=-5", "-", `${registry.host}/cli/zstd:fast`], bytes);
  assert.equal(fast.code, 0, fast.stderr);
  assert.equal((JSON.parse(fast.stdout) as PushResult).layer.diffID, diffID, "a negative level, given as --level=-5");
  assert.equal(result.code, 0, result.stderr);
  const pushed = JSON.parse(result.stdout) as PushResult;
  assert.equal(pushed.layer.diffID, diffID);
  const raw = await skopeoJson<RawManifest>("inspect", "--raw", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(raw.layers.map((layer) => layer.mediaType), [ZSTD]);
  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, "copied")}:1`);
  const blob = join(work, "copied/blobs/sha256", pushed.layer.digest.slice("sha256:".length));
  assert.equal(sha256(execFileSync("zstd", ["-d", "-c", blob])), diffID);
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
});

test("a .tar.zst file is pushed as it is: its digest is the file's, its DiffID the tar's", async () => {
  const { bytes, diffID } = await tarball({ "a.txt": "zstd file\n" });
  const file = join(work, "layer.tar.zst");
  writeFileSync(file, execFileSync("zstd", ["-q", "-c", "-19"], { input: bytes }));
  const result = await runCli(["push", "--json", file, `${registry.host}/cli/zstfile:1`]);
  assert.equal(result.code, 0, result.stderr);
  const pushed = JSON.parse(result.stdout) as PushResult;
  assert.equal(pushed.layer.digest, sha256(execFileSync("cat", [file])));
  assert.equal(pushed.layer.diffID, diffID);
  const raw = await skopeoJson<RawManifest>("inspect", "--raw", "--tls-verify=false", `docker://${registry.host}/cli/zstfile:1`);
  assert.deepEqual(raw.layers.map((layer) => layer.mediaType), [ZSTD]);
});

test("usage errors: a zstd level out of range, a gzip level of zstd's, an unknown compression, zstd with --media-type docker", async () => {
  const cases: [string[], RegExp][] = [
    [["--compression", "zstd", "--level", "23"], /Invalid --level: 23: expected -131072 to 22 for zstd/],
    [["--level=-1"], /Invalid --level: -1: expected 0 to 9/],
    [["--compression", "brotli"], /Invalid --compression: brotli: expected gzip or zstd/],
    [["--compression", "zstd", "--media-type", "docker"], /Docker's manifest format has no zstd layers/],
  ];
  for (const [options, message] of cases) {
    const result = await runCli(["push", ...options, "-", `${registry.host}/cli/never:1`], "");
    assert.equal(result.code, 2, `${options.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
