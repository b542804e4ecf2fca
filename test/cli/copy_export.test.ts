// `streamlayer copy` and `streamlayer export` as a crane user types them:
// the digest reference on stdout, progress and the summary on stderr, the
// same credential lookup as push (Docker's config.json here), crane's
// argument forms (export IMAGE TARBALL, - for stdout), exit codes and
// one-line errors. skopeo and GNU tar judge the results.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { createTarPacker } from "modern-tar";
import { appendLayers, createTarStream, emptyImage, StreamLayer, writeImage, writeIndex } from "../../src/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { temporaryDirectory } from "../support/tools.ts";
import { type Inspected, skopeo, skopeoJson } from "../image/_image_tools.ts";
import { lastLine, runCli } from "./_run_cli.ts";

const run = promisify(execFile);
let docker: RunningRegistry;
let ggcr: RunningRegistry;
let basic: RunningRegistry;
let work: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => {
  [docker, ggcr, basic, work] = await Promise.all([startRegistry(), startRegistry({ kind: "ggcr" }), startRegistry({ auth: "basic" }), temporaryDirectory("streamlayer-cli-copy-")]);
});
after(async () => {
  await Promise.all([docker?.stop(), ggcr?.stop(), basic?.stop(), work?.remove()]);
});

const noTls = "--tls-verify=false";

function layer(files: Record<string, string>): StreamLayer {
  return new StreamLayer(createTarStream(Object.entries(files).map(([path, data]) => ({ path, data }))));
}

async function multiPlatform(reference: string): Promise<void> {
  await writeIndex(reference, ["amd64", "arm64"].map((architecture) => ({
    image: appendLayers(emptyImage({ architecture }), layer({ "etc/arch": architecture }), layer({ "etc/motd": "hello\n" })),
  })));
}

test("copy SRC DST: every platform of a multi-platform image, from docker-registry to go-containerregistry's registry", async () => {
  const source = `${docker.host}/cli/multi:1`;
  await multiPlatform(source);
  const destination = `${ggcr.host}/cli/copied:1`;
  const result = await runCli(["copy", `docker://${source}`, destination]);
  assert.equal(result.code, 0, result.stderr);
  const raw = await skopeo("inspect", noTls, "--raw", `docker://${destination}`);
  const digest = `sha256:${(await import("node:crypto")).createHash("sha256").update(raw).digest("hex")}`;
  assert.equal(result.stdout, `${ggcr.host}/cli/copied@${digest}\n`);
  assert.match(result.stderr, /^Copying 127\.0\.0\.1:\d+\/cli\/multi:1 to 127\.0\.0\.1:\d+\/cli\/copied:1$/m);
  assert.match(result.stderr, /^ {2}linux\/amd64: sha256:[0-9a-f]{64}, 2 layers, /m);
  assert.match(result.stderr, /^ {2}linux\/arm64: sha256:[0-9a-f]{64}, 2 layers, /m);
  assert.match(lastLine(result.stderr), /^Copied .* to .*: sha256:[0-9a-f]{64} \(application\/vnd\.oci\.image\.index\.v1\+json\)$/);
  assert.deepEqual(JSON.parse(raw), JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${source}`)));
  const arm = await skopeoJson<Inspected>("inspect", noTls, "--override-arch", "arm64", `docker://${destination}`);
  assert.equal(arm.Architecture, "arm64");
});

test("copy --platform: one platform alone, as crane copy --platform does", async () => {
  const source = `${docker.host}/cli/multi-one:1`;
  await multiPlatform(source);
  const destination = `${docker.host}/cli/arm64-only:1`;
  const result = await runCli(["copy", "--platform", "linux/arm64", source, destination]);
  assert.equal(result.code, 0, result.stderr);
  const raw = JSON.parse(await skopeo("inspect", noTls, "--raw", `docker://${destination}`)) as { mediaType: string };
  assert.equal(raw.mediaType, "application/vnd.oci.image.manifest.v1+json");
  const inspected = await skopeoJson<Inspected>("inspect", noTls, `docker://${destination}`);
  assert.equal(inspected.Architecture, "arm64");
  assert.equal(result.stdout, `${docker.host}/cli/arm64-only@${inspected.Digest}\n`);
});

test("copy from an OCI layout, and to a registry that wants the credentials Docker's config.json holds", async () => {
  const layout = join(work.path, "layout");
  const written = await writeLayout(layout, appendLayers(emptyImage(), layer({ "from/layout": "yes" })), { tag: "demo" });
  const destination = `${basic.host}/cli/from-layout:1`;
  const anonymous = await runCli(["copy", `oci:${layout}:demo`, destination]);
  assert.equal(anonymous.code, 3, anonymous.stderr);
  assert.match(lastLine(anonymous.stderr), /wants credentials/);

  const config = join(work.path, "docker-config");
  mkdirSync(config, { recursive: true });
  const { username, password } = basic.credentials!;
  writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [basic.host]: { auth: Buffer.from(`${username}:${password}`).toString("base64") } } }));
  const result = await runCli(["copy", `oci:${layout}:demo`, destination], undefined, { DOCKER_CONFIG: config, REGISTRY_AUTH_FILE: "", XDG_RUNTIME_DIR: "" });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${basic.host}/cli/from-layout@${written.digest}\n`);
  const inspected = await skopeoJson<Inspected>("inspect", noTls, "--creds", `${username}:${password}`, `docker://${destination}`);
  assert.equal(inspected.Digest, written.digest);
});

test("export IMAGE -o file.tar, export IMAGE TARBALL, and export to stdout give the flattened file system", async () => {
  const image = `${docker.host}/cli/export:1`;
  await writeImage(image, appendLayers(emptyImage(), layer({ "etc/motd": "old\n", "tmp/x": "x" }), layer({ "etc/motd": "new\n", "tmp/.wh.x": "" })));
  const file = join(work.path, "rootfs.tar");
  const result = await runCli(["export", image, "-o", file]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(lastLine(result.stderr), /^Exported .* to .*rootfs\.tar: /);
  const { stdout: listing } = await run("tar", ["-tf", file]);
  assert.deepEqual(listing.trim().split("\n"), ["etc/motd"]);
  const { stdout: motd } = await run("tar", ["-xOf", file, "etc/motd"]);
  assert.equal(motd, "new\n");

  const craneForm = join(work.path, "crane.tar");
  assert.equal((await runCli(["export", image, craneForm])).code, 0);
  const piped = await runCli(["export", image]);
  assert.equal(piped.code, 0, piped.stderr);
  // ASCII names and contents, NUL padding: the text runCli collected is the tar byte for byte.
  assert.deepEqual(Buffer.from(piped.stdout, "utf8"), readFileSync(file));
  assert.deepEqual(readFileSync(craneForm), readFileSync(file));
});

test("export refuses a layer whose name climbs out of the root: exit 1, one line, no file left", async () => {
  const { readable, controller } = createTarPacker();
  const bytes = new Response(readable).arrayBuffer();
  await controller.add({ name: "../../etc/evil", size: 0, type: "file" }).close();
  controller.finalize();
  const image = `${docker.host}/cli/evil:1`;
  await writeImage(image, appendLayers(emptyImage(), new StreamLayer(new Blob([await bytes]).stream())));
  const file = join(work.path, "evil.tar");
  const result = await runCli(["export", image, "-o", file]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(lastLine(result.stderr), /^streamlayer: Unsafe path in layer 0: "\.\.\/\.\.\/etc\/evil" climbs out of the root$/);
  assert.equal(existsSync(file), false);
});

test("usage errors: a misspelt option, missing arguments, an oci: destination for copy (exit 2, one line)", async () => {
  const misspelt = await runCli(["copy", "--platforms", "linux/amd64", "a/b", "c/d"]);
  assert.equal(misspelt.code, 2);
  assert.equal(lastLine(misspelt.stderr), "streamlayer: Unknown option --platforms: did you mean --platform?");
  const missing = await runCli(["export"]);
  assert.equal(missing.code, 2);
  assert.match(lastLine(missing.stderr), /^streamlayer: export takes one image/);
  const layoutDestination = await runCli(["copy", `${docker.host}/a:1`, `oci:${work.path}/x:1`]);
  assert.equal(layoutDestination.code, 2);
  const help = await runCli(["help", "copy"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: streamlayer copy/);
  assert.match(help.stdout, /Examples:\n {2}streamlayer copy /);
});
