// The command as the packed package installs it: node_modules/.bin/streamlayer,
// a link to the one bundled file (scripts/bundle_cli.ts) run through its
// `#!/usr/bin/env node` line, as npm sets it up. The bundle must still find
// what it loads by URL from the files it was made of: package.json (--version),
// zstd.wasm and the zstd worker threads, and the dependencies it leaves in
// node_modules (required only when used). Checked with skopeo, zstd and gunzip.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { skopeo, skopeoJson, tarball } from "../image/_image_tools.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { gunzip, sha256, sha256sum, temporaryDirectory, writeTemporaryFile } from "../support/tools.ts";
import { consumerProject, packPackage } from "./_packed.ts";

const run = promisify(execFile);

interface PushResult {
  layer: { mediaType: string; digest: string; diffID: string };
}

let project: Awaited<ReturnType<typeof consumerProject>>;
let registry: RunningRegistry;
let work: Awaited<ReturnType<typeof temporaryDirectory>>;
let command: string;

before(async () => {
  const packed = await packPackage();
  project = await consumerProject(packed.tarball);
  const manifest = JSON.parse(readFileSync(join(project.path, "node_modules/streamlayer/package.json"), "utf8")) as { bin: Record<string, string> };
  // What npm does for "bin": a link in node_modules/.bin, the target made executable.
  const target = join(project.path, "node_modules/streamlayer", manifest.bin.streamlayer!);
  chmodSync(target, 0o755);
  mkdirSync(join(project.path, "node_modules/.bin"));
  command = join(project.path, "node_modules/.bin/streamlayer");
  symlinkSync(target, command);
  registry = await startRegistry();
  work = await temporaryDirectory("streamlayer-bin-");
});
after(async () => {
  await registry?.stop();
  await work?.remove();
  await project?.remove();
});

/** Runs the installed command from the user's project, with no Docker config of the machine's. */
function streamlayer(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(command, args, { cwd: project.path, env: { ...process.env, DOCKER_CONFIG: join(work.path, "docker") }, maxBuffer: 16 * 1024 * 1024 });
}

/** A tar of several MiB that compresses little, so that zstd's blocks go to more than one thread. */
async function largeTar(): Promise<{ file: string; diffID: string }> {
  let seed = 7;
  const noise = Array.from({ length: 6 * 1024 * 1024 / 4 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 36).toString(36).repeat(4)).join("");
  const { bytes, diffID } = await tarball({ "data/noise.txt": noise, "etc/hello.txt": "hello from the bundled command\n" });
  return { file: await writeTemporaryFile(work.path, "large.tar", bytes), diffID };
}

test("the installed command prints its help and the package's version", async () => {
  const help = await streamlayer("--help");
  assert.match(help.stdout, /^Usage: streamlayer <command>/);
  const pushHelp = await streamlayer("help", "push");
  assert.match(pushHelp.stdout, /Usage: streamlayer push/);
  const { version } = JSON.parse(readFileSync(join(project.path, "node_modules/streamlayer/package.json"), "utf8")) as { version: string };
  assert.equal((await streamlayer("--version")).stdout, `${version}\n`);
});

test("the installed command pushes a gzip layer that skopeo copies and gunzip restores", async () => {
  const { file, diffID } = await largeTar();
  const reference = `${registry.host}/bin/gzip:1`;
  const pushed = JSON.parse((await streamlayer("push", "--json", file, reference)).stdout) as PushResult;
  assert.equal(pushed.layer.diffID, diffID);
  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work.path, "gzip")}:1`);
  const blob = join(work.path, "gzip/blobs/sha256", pushed.layer.digest.slice("sha256:".length));
  assert.equal(await sha256sum(blob), pushed.layer.digest);
  assert.equal(sha256(await gunzip(blob)), diffID);
});

test("the installed command pushes a zstd layer (zstd.wasm and its worker threads found from the bundle) that zstd -d restores", async () => {
  const { file, diffID } = await largeTar();
  const reference = `${registry.host}/bin/zstd:1`;
  const pushed = JSON.parse((await streamlayer("push", "--json", "--compression", "zstd", file, reference)).stdout) as PushResult;
  assert.equal(pushed.layer.diffID, diffID);
  assert.equal(pushed.layer.mediaType, "application/vnd.oci.image.layer.v1.tar+zstd");
  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work.path, "zstd")}:1`);
  const blob = join(work.path, "zstd/blobs/sha256", pushed.layer.digest.slice("sha256:".length));
  const { stdout } = await run("bash", ["-c", 'zstd -d -c "$1" | sha256sum', "-", blob]);
  assert.equal(`sha256:${stdout.split(" ")[0]}`, diffID);
  const config = await skopeoJson<{ rootfs: { diff_ids: string[] } }>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
});
