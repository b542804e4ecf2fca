import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, type InspectedConfig, skopeo, skopeoJson, tarball } from "../image/_image_tools.ts";
import { fetchCheckedBlob } from "../support/blob_check.ts";
import { lastLine, runCli } from "./_run_cli.ts";

let open: RunningRegistry;
let basic: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-"));
before(async () => {
  [open, basic] = await Promise.all([startRegistry(), startRegistry({ auth: "basic" })]);
});
after(async () => {
  await Promise.all([open?.stop(), basic?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

interface PushResult {
  descriptor: { digest: string };
  layer: { digest: string; diffID: string; size: number };
  uncompressedSize: number;
}

test("push from stdin to the registry: skopeo copies the image and sees our layer and DiffID", async () => {
  const { bytes, diffID } = await tarball({ "from/stdin": "piped\n" });
  const reference = `${open.host}/cli/stdin:1`;
  const result = await runCli(["push", "--json", "-", reference], bytes);
  assert.equal(result.code, 0, result.stderr);
  const pushed = JSON.parse(result.stdout) as PushResult;
  assert.equal(pushed.layer.diffID, diffID);
  assert.equal(pushed.uncompressedSize, bytes.length);
  await skopeo("copy", "--src-tls-verify=false", `docker://${reference}`, `oci:${join(work, "copied")}:1`);
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`);
  assert.equal(inspect.Digest, pushed.descriptor.digest);
  assert.deepEqual(inspect.Layers, [pushed.layer.digest]);
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
});

test("push from stdin to a layout, with a platform", async () => {
  const { bytes, diffID } = await tarball({ "to/layout": "on disk\n" });
  const layout = join(work, "layout");
  const result = await runCli(["push", "--platform", "linux/arm64/v8", "-", `oci:${layout}:cli`], bytes);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `oci:${layout}@${(await skopeoJson<Inspected>("inspect", `oci:${layout}:cli`)).Digest}\n`);
  assert.match(result.stderr, /^Pushed image to oci:/m);
  const inspect = await skopeoJson<Inspected>("inspect", `oci:${layout}:cli`);
  assert.equal(inspect.Architecture, "arm64");
  const config = await skopeoJson<InspectedConfig & { variant: string }>("inspect", "--config", `oci:${layout}:cli`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
  assert.equal(config.variant, "v8");
});

test("--media-type docker writes a Docker schema 2 image with a Docker layer", async () => {
  const { bytes, diffID } = await tarball({ docker: "yes" });
  const reference = `${open.host}/cli/docker:1`;
  const result = await runCli(["push", "--media-type", "docker", "-", reference], bytes);
  assert.equal(result.code, 0, result.stderr);
  const raw = await skopeoJson<{ mediaType: string; layers: { mediaType: string }[] }>("inspect", "--raw", "--tls-verify=false", `docker://${reference}`);
  assert.equal(raw.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
  assert.equal(raw.layers[0]?.mediaType, "application/vnd.docker.image.rootfs.diff.tar.gzip");
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [diffID]);
});

test("--blob pushes only the layer; the registry serves it under its digest", async () => {
  const { bytes } = await tarball({ only: "the blob" });
  const file = join(work, "blob.tar");
  writeFileSync(file, bytes);
  const result = await runCli(["push", "--blob", "--json", "--upload", "stream", file, `${open.host}/cli/blob`]);
  assert.equal(result.code, 0, result.stderr);
  const pushed = JSON.parse(result.stdout) as PushResult;
  await fetchCheckedBlob(open.url, "cli/blob", pushed.layer.digest, pushed.layer.size);
});

test("--base appends to an image pushed beforehand: base layers first, then ours", async () => {
  const baseLayout = join(work, "base");
  const base = await tarball({ "base/file": "base" });
  const made = await runCli(["push", "-", `oci:${baseLayout}:base`], base.bytes);
  assert.equal(made.code, 0, made.stderr);
  const baseRef = `${open.host}/cli/base:1`;
  await skopeo("copy", "--dest-tls-verify=false", `oci:${baseLayout}:base`, `docker://${baseRef}`);
  const baseInspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${baseRef}`);

  const ours = await tarball({ "app/file": "ours" });
  const reference = `${open.host}/cli/app:2`;
  const result = await runCli(["push", "--json", "--base", baseRef, "-", reference], ours.bytes);
  assert.equal(result.code, 0, result.stderr);
  const pushed = JSON.parse(result.stdout) as PushResult;
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(inspect.Layers, [...baseInspect.Layers, pushed.layer.digest]);
  const config = await skopeoJson<InspectedConfig>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, [base.diffID, ours.diffID]);
});

test("credentials: --password-stdin and Docker's config.json are accepted; wrong ones end with exit 3 and one line", async () => {
  const { bytes } = await tarball({ secured: "yes" });
  const file = join(work, "secured.tar");
  writeFileSync(file, bytes);
  const { username, password } = basic.credentials ?? { username: "", password: "" };
  const reference = `${basic.host}/cli/secured:1`;

  const good = await runCli(["push", "--username", username, "--password-stdin", file, reference], `${password}\n`);
  assert.equal(good.code, 0, good.stderr);

  const dockerConfig = join(work, "docker");
  mkdirSync(dockerConfig, { recursive: true });
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  writeFileSync(join(dockerConfig, "config.json"), JSON.stringify({ auths: { [basic.host]: { auth } } }));
  const fromConfig = await runCli(["push", file, `${basic.host}/cli/secured:2`], undefined, { DOCKER_CONFIG: dockerConfig });
  assert.equal(fromConfig.code, 0, fromConfig.stderr);

  const wrong = await runCli(["push", "--username", username, "--password-stdin", file, reference], "not-the-password\n");
  assert.equal(wrong.code, 3);
  assert.match(lastLine(wrong.stderr), /^streamlayer: Credentials refused: .*401/);
  assert.ok(!wrong.stderr.includes("not-the-password"), "the password is never printed");

  const anonymous = await runCli(["push", file, reference]);
  assert.equal(anonymous.code, 3);
  assert.match(lastLine(anonymous.stderr), new RegExp(`^streamlayer: ${basic.host} wants credentials: .*HTTP 401.*streamlayer login ${basic.host} --username <name> --password-stdin`));
});

test("a bad reference, a registry that is down and a missing input each end with their exit code and one line", async () => {
  const bad = await runCli(["push", "-", "Not A/Reference"], "x");
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  assert.match(bad.stderr, /^streamlayer: Invalid reference "Not A\/Reference": /);

  const { bytes } = await tarball({ down: "yes" });
  const down = await runCli(["push", "-", "127.0.0.1:9/cli/down:1"], bytes);
  assert.equal(down.code, 4);
  assert.match(lastLine(down.stderr), /^streamlayer: .*127\.0\.0\.1:9.*no response.*reachable/);

  const missing = await runCli(["push", join(work, "missing.tar"), `oci:${join(work, "nowhere")}`]);
  assert.equal(missing.code, 5);
  assert.match(lastLine(missing.stderr), /^streamlayer: Cannot read the input: .*missing\.tar: no such file$/);

  const usage = await runCli(["push", "--level", "11", "-", "oci:x"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^streamlayer: Invalid --level: 11/);
});

test("--help is there for the command and for push", async () => {
  const top = await runCli(["--help"]);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Usage: streamlayer <command>/);
  for (const args of [["push", "--help"], ["help", "push"]]) {
    const help = await runCli(args);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: streamlayer push \[options\] <file\|-> <destination>/);
    assert.match(help.stdout, /--password-stdin/);
  }
  for (const args of [["pul"], ["help", "pul"]]) {
    const unknown = await runCli(args);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^streamlayer: Unknown command: pul: did you mean push\?/);
  }
});

test("Ctrl-C while stdin is still open ends with exit 130, one line, and no blob left in the layout", async () => {
  const layout = join(work, "interrupted");
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "push", "-", `oci:${layout}:x`], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
  // The start of a tar (zeros alone are judged only at 64 KiB or the end: zeros then data are no tar).
  child.stdin.write((await tarball({ "big.bin": "x".repeat(100_000) })).bytes.subarray(0, 4096));
  // The layout's blob folder appears once the push has started reading.
  for (let i = 0; i < 200 && !existsSync(join(layout, "blobs", "sha256")); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill("SIGINT");
  assert.equal(await closed, 130);
  child.stdin.destroy();
  assert.equal(lastLine(stderr), "streamlayer: interrupted");
  assert.deepEqual(readdirSync(join(layout, "blobs", "sha256")), []);
});
