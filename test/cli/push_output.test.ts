import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, skopeoJson, tarball } from "../image/_image_tools.ts";
import { runCli } from "./_run_cli.ts";

const run = promisify(execFile);
let open: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-output-"));
before(async () => {
  open = await startRegistry();
});
after(async () => {
  await open?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Config {
  architecture: string;
  os: string;
  variant?: string;
  config: { Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string; Labels?: Record<string, string> };
  rootfs: { diff_ids: string[] };
}

test("stdout holds one line, host/repo@sha256:..., the digest skopeo sees; the summary is on stderr", async () => {
  const { bytes } = await tarball({ "one/line": "stdout\n" });
  const result = await runCli(["push", "-", `docker://${open.host}/output/app:1`], bytes);
  assert.equal(result.code, 0, result.stderr);
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${open.host}/output/app:1`);
  assert.equal(result.stdout, `${open.host}/output/app@${inspect.Digest}\n`);
  assert.match(result.stderr, /^Pushed image to 127\.0\.0\.1:\d+\/output\/app:1$/m);
  assert.match(result.stderr, new RegExp(`^  manifest ${inspect.Digest} `, "m"));
  // The digest reference it printed is one skopeo can use as it is.
  const again = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${result.stdout.trim()}`);
  assert.equal(again.Digest, inspect.Digest);
  const json = await runCli(["push", "--json", "-", `${open.host}/output/app:2`], bytes);
  assert.equal((JSON.parse(json.stdout) as { descriptor: { digest: string } }).descriptor.digest, inspect.Digest, "--json is still one JSON document");
});

test("every image flag lands in the config or manifest skopeo reads; several layers in order; -t tags the same manifest", async () => {
  const layers = await Promise.all([tarball({ "layer/one": "1" }), tarball({ "layer/two": "2" }), tarball({ "layer/three": "3" })]);
  writeFileSync(join(work, "one.tar"), layers[0].bytes);
  writeFileSync(join(work, "two.tar"), layers[1].bytes);
  const reference = `${open.host}/output/flags:1`;
  const result = await runCli([
    "push", "-f", join(work, "one.tar"), "-f", join(work, "two.tar"), "--file", "-",
    "--env", "TZ=UTC", "--env", "PATH=/app/bin:/bin", "--label", "org.example.team=infra", "--label", "tier=web",
    "--entrypoint", '["/app/bin/serve","--config=/etc/app, with comma"]', "--cmd", "--port=8080,--verbose", "--workdir", "/srv/app", "--user", "1000:1000",
    "--platform", "linux/arm64/v8", "--annotation", "org.opencontainers.image.source=https://git.example/app",
    "-t", "extra", "--tag", "latest", `docker://${reference}`,
  ], layers[2].bytes);
  assert.equal(result.code, 0, result.stderr);
  const config = await skopeoJson<Config>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.config.Env, ["TZ=UTC", "PATH=/app/bin:/bin"]);
  assert.deepEqual(config.config.Labels, { "org.example.team": "infra", tier: "web" });
  assert.deepEqual(config.config.Entrypoint, ["/app/bin/serve", "--config=/etc/app, with comma"]);
  assert.deepEqual(config.config.Cmd, ["--port=8080", "--verbose"]);
  assert.equal(config.config.WorkingDir, "/srv/app");
  assert.equal(config.config.User, "1000:1000");
  assert.deepEqual([config.os, config.architecture, config.variant], ["linux", "arm64", "v8"]);
  assert.deepEqual(config.rootfs.diff_ids, layers.map((layer) => layer.diffID), "the layers in the order given, stdin third");
  const raw = await skopeoJson<{ annotations?: Record<string, string>; layers: unknown[] }>("inspect", "--raw", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(raw.annotations, { "org.opencontainers.image.source": "https://git.example/app" });
  assert.equal(raw.layers.length, 3);
  const digest = (await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`)).Digest;
  assert.equal(result.stdout, `${open.host}/output/flags@${digest}\n`);
  for (const tag of ["extra", "latest"]) {
    assert.equal((await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${open.host}/output/flags:${tag}`)).Digest, digest);
  }
});

test("on an 80-column pseudo-terminal the progress line fits, is redrawn in place, and ends with the totals", async () => {
  // Random bytes compress slowly enough for the line to be redrawn while they stream.
  const { bytes } = await tarball({ "big/random": randomBytes(6 * 1024 * 1024).toString("base64") });
  const file = join(work, "big.tar");
  writeFileSync(file, bytes);
  const out = join(work, "pty-stdout.txt");
  const command = `stty cols 80 rows 24; exec ${process.execPath} --import tsx src/cli/bin.ts push ${file} ${open.host}/output/pty:1 > ${out}`;
  const { stdout: screen } = await run("script", ["-qec", command, "/dev/null"], { env: { ...process.env, DOCKER_CONFIG: "/nonexistent-streamlayer-test" }, maxBuffer: 4 * 1024 * 1024 });
  assert.match(readFileSync(out, "utf8"), /^127\.0\.0\.1:\d+\/output\/pty@sha256:[0-9a-f]{64}\n$/);
  const draws = screen.split("\r\x1b[2K").slice(1);
  assert.ok(draws.length >= 2, `redrawn in place at least twice: ${JSON.stringify(screen.slice(0, 400))}`);
  for (const draw of draws) {
    const line = draw.split(/\r?\n/)[0] ?? "";
    assert.ok(line.length <= 80, `a progress line of ${line.length} columns: ${JSON.stringify(line)}`);
  }
  assert.match(draws.slice(0, -1).join(""), /read [\d.]+ (B|KiB|MiB), gz /);
  assert.match(draws.at(-1) ?? "", /^push big\.tar: done: read 8\.0 MiB, gz [\d.]+ MiB, stored [\d.]+ MiB, [\d.]+ s, [\d.]+ (KiB|MiB)\/s\r?\n/);
});

test("on a --base, --env replaces the base's variable of that name and keeps the others; labels merge", async () => {
  const base = await tarball({ "base/file": "base" });
  const baseRef = `${open.host}/output/base:1`;
  const made = await runCli(["push", "--env", "PATH=/bin", "--env", "MODE=base", "--label", "from=base", "--cmd", "base-cmd", "-", baseRef], base.bytes);
  assert.equal(made.code, 0, made.stderr);
  const ours = await tarball({ "app/file": "ours" });
  const reference = `${open.host}/output/derived:1`;
  const result = await runCli(["push", "--base", `docker://${baseRef}`, "--env", "MODE=app", "--label", "tier=web", "-", reference], ours.bytes);
  assert.equal(result.code, 0, result.stderr);
  const config = await skopeoJson<Config>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.config.Env, ["PATH=/bin", "MODE=app"]);
  assert.deepEqual(config.config.Labels, { from: "base", tier: "web" });
  assert.deepEqual(config.config.Cmd, ["base-cmd"], "what is not set is kept from the base");
  assert.deepEqual(config.rootfs.diff_ids, [base.diffID, ours.diffID]);
});
