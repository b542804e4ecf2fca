import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** umoci's OCI layout of one image (tag v1) and skopeo's `docker save` tarball of it: made by the tools, not by us. */
let made: { layout: string; dockerSave: string } | undefined;
function imageTarballs(): { layout: string; dockerSave: string } {
  if (made) return made;
  const layout = join(work, "umoci-layout");
  writeFileSync(join(work, "motd"), "from umoci\n");
  execFileSync("umoci", ["init", "--layout", layout]);
  execFileSync("umoci", ["new", "--image", `${layout}:v1`]);
  execFileSync("umoci", ["insert", "--image", `${layout}:v1`, join(work, "motd"), "/etc/motd"]);
  const dockerSave = join(work, "saved.tar");
  execFileSync("skopeo", ["copy", "-q", `oci:${layout}:v1`, `docker-archive:${dockerSave}:app:v1`]);
  made = { layout, dockerSave };
  return made;
}

async function assertNotPushed(reference: string): Promise<void> {
  await assert.rejects(skopeoJson("inspect", "--tls-verify=false", `docker://${reference}`), /manifest unknown|not found|404/i, `${reference} was not pushed`);
}

test("a `docker save` tarball (skopeo's docker-archive), from a file or stdin: exit 5 before anything is sent, one line saying what it is and what pushes it; and that advice works", async () => {
  const { dockerSave } = imageTarballs();
  const reference = `${open.host}/inputs/saved:1`;
  const fromFile = await runCli(["push", dockerSave, reference]);
  assert.equal(fromFile.code, 5, fromFile.stderr);
  assert.equal(fromFile.stdout, "");
  assert.equal(fromFile.stderr.split("\n").filter((line) => line.startsWith("streamlayer:")).length, 1, fromFile.stderr);
  assert.equal(
    lastLine(fromFile.stderr),
    `streamlayer: Input ${dockerSave} is a \`docker save\` tarball (a whole image), not the tar of one layer: push it with "skopeo copy docker-archive:${dockerSave} docker://<destination>" or "crane push ${dockerSave} <destination>"`,
  );
  const fromStdin = await runCli(["push", "-", reference], readFileSync(dockerSave));
  assert.equal(fromStdin.code, 5, fromStdin.stderr);
  assert.match(lastLine(fromStdin.stderr), /^streamlayer: Input stdin is a `docker save` tarball .*docker-archive:<file>/);
  await assertNotPushed(reference);
  // What the line says to run pushes the image it holds.
  execFileSync("skopeo", ["copy", "-q", "--dest-tls-verify=false", `docker-archive:${dockerSave}`, `docker://${reference}`]);
  const pushed = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`);
  assert.equal(pushed.Layers.length, 1);
});

test("an OCI layout tarred in any order (./ first, index.json first) and a Docker 25+ save: exit 5, and streamlayer copy oci: of it unpacked pushes the image", async () => {
  const { layout, dockerSave } = imageTarballs();
  const unpacked = join(work, "docker-save-unpacked");
  mkdirSync(unpacked);
  execFileSync("tar", ["-xf", dockerSave, "-C", unpacked]);
  // Docker 25+ writes an OCI layout with docker's manifest.json and repositories beside it.
  const docker25 = join(work, "docker25");
  execFileSync("cp", ["-r", layout, docker25]);
  for (const name of ["manifest.json", "repositories"]) writeFileSync(join(docker25, name), readFileSync(join(unpacked, name)));
  const cases: Array<[string, string, string[], RegExp]> = [
    ["dot-first.tar", layout, ["."], /is an image tarball \(an OCI layout, a whole image\)/],
    ["index-first.tar", layout, ["index.json", "oci-layout", "blobs"], /is an image tarball \(an OCI layout, a whole image\)/],
    ["docker25.tar", docker25, ["blobs", "index.json", "manifest.json", "oci-layout", "repositories"], /is a `docker save` tarball of Docker 25\+ \(an OCI layout, a whole image\)/],
  ];
  for (const [file, directory, order, says] of cases) {
    const path = join(work, file);
    execFileSync("tar", ["-cf", path, "-C", directory, ...order]);
    const result = await runCli(["push", path, `${open.host}/inputs/${file.replace(".tar", "")}:1`]);
    assert.equal(result.code, 5, `${file}: ${result.stderr}`);
    assert.equal(result.stderr.split("\n").filter((line) => line.startsWith("streamlayer:")).length, 1, result.stderr);
    assert.match(result.stderr, says, file);
    assert.match(result.stderr, /unpack it \(mkdir dir && tar -xf .* -C dir\) and run "streamlayer copy oci:dir <destination>"/, file);
  }
  await assertNotPushed(`${open.host}/inputs/docker25:1`);
  const dir = join(work, "docker25-unpacked");
  mkdirSync(dir);
  execFileSync("tar", ["-xf", join(work, "docker25.tar"), "-C", dir]);
  const copied = await runCli(["copy", `oci:${dir}`, `${open.host}/inputs/docker25:1`]);
  assert.equal(copied.code, 0, copied.stderr);
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${open.host}/inputs/docker25:1`);
  assert.equal(inspect.Layers.length, 1);
});

test("a block of zeros followed by a tar: exit 5, said so; zeros alone are an empty layer", async () => {
  const tar = await tarball({ "etc/motd": "after zeros\n" });
  const zerosThenTar = new Uint8Array(512 + tar.bytes.length);
  zerosThenTar.set(tar.bytes, 512);
  const refused = await runCli(["push", "-", `${open.host}/inputs/zeros:1`], zerosThenTar);
  assert.equal(refused.code, 5, refused.stderr);
  assert.equal(lastLine(refused.stderr), "streamlayer: Input is not a tar: it starts with a block of zeros (the end of a tar) followed by data");
  const empty = await runCli(["push", "-", `${open.host}/inputs/zeros:2`], new Uint8Array(10_240));
  assert.equal(empty.code, 0, empty.stderr);
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${open.host}/inputs/zeros:2`);
  assert.deepEqual(config.rootfs.diff_ids, [sha256(new Uint8Array(10_240))]);
});
