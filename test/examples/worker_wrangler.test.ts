// examples/worker/ started the way its README says: a copy of the example
// with the published package installed (packPackage), REGISTRY uncommented in
// wrangler.toml, the secrets in .dev.vars, and `wrangler dev` (the
// devDependency: wrangler bundles src/worker.ts itself and runs it in
// workerd). Against docker-registry with htpasswd, so that the registry
// credentials from .dev.vars are what get the push in: without PUSH_TOKEN a
// 401, with it the tar lands (checked with skopeo).
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { bin, consumerProject, packPackage, root } from "../package/_packed.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";

const run = promisify(execFile);
const PUSH_TOKEN = "wrangler-dev-push-token-0123456789abcdef";

let registry: RunningRegistry;
let project: { path: string; remove(): Promise<void> };
let wrangler: ChildProcess | undefined;
let exited: Promise<void>;
let output = "";
let workerUrl: URL;

before(async () => {
  registry = await startRegistry({ auth: "basic" });
  project = await consumerProject((await packPackage()).tarball);
  const example = join(root, "examples/worker");
  for (const file of ["src", "wrangler.toml", "package.json", "tsconfig.json"]) cpSync(join(example, file), join(project.path, file), { recursive: true });
  // The README's first step: set REGISTRY in wrangler.toml.
  const toml = readFileSync(join(project.path, "wrangler.toml"), "utf8");
  const configured = toml.replace(/^# REGISTRY = ".*"$/m, `REGISTRY = "${registry.host}"`);
  assert.notEqual(configured, toml, "wrangler.toml has the commented REGISTRY line the README tells to edit");
  writeFileSync(join(project.path, "wrangler.toml"), configured);
  // The second: the secrets, for `wrangler dev`, in .dev.vars.
  const { username, password } = registry.credentials!;
  writeFileSync(join(project.path, ".dev.vars"), `PUSH_TOKEN=${PUSH_TOKEN}\nREGISTRY_USERNAME=${username}\nREGISTRY_PASSWORD=${password}\n`);

  const port = await freePort();
  wrangler = spawn(bin("wrangler"), ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort())], {
    cwd: project.path,
    // No questions, no metrics, logs kept in the project.
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: join(project.path, ".wrangler/logs"), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  exited = new Promise((resolve) => wrangler!.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready on http:\/\/127\.0\.0\.1:\d+/.test(output)) resolve();
    };
    wrangler!.stdout!.on("data", look);
    wrangler!.stderr!.on("data", look);
    void exited.then(() => reject(new Error(`wrangler dev exited before it was ready:\n${output}`)));
    // A bound, not a measure: a wrangler that never gets ready fails with what it printed.
    setTimeout(() => reject(new Error(`wrangler dev was not ready after 120 s:\n${output}`)), 120_000).unref();
  });
  await ready;
  workerUrl = new URL(`http://127.0.0.1:${port}`);
});

after(async () => {
  if (wrangler?.pid !== undefined) {
    // wrangler, the wrangler it starts and their workerd and esbuild: the process
    // group this test made. wrangler may not act on SIGTERM while it tears down; then SIGKILL.
    const group = -wrangler.pid;
    signalGroup(group, "SIGTERM");
    const killer = setTimeout(() => signalGroup(group, "SIGKILL"), 3000);
    await exited;
    clearTimeout(killer);
    signalGroup(group, "SIGKILL"); // whatever of the group outlived its leader
  }
  await project?.remove();
  await registry?.stop();
});

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // The group is gone already.
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const tarball = () => execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(root, "examples/rootfs"), "."]);

test("wrangler dev: without PUSH_TOKEN a 401; with it the tar lands, pushed with the registry credentials of .dev.vars", async () => {
  const tar = tarball();
  const refused = await fetch(new URL("/push/wrangler/app:v1", workerUrl), { method: "POST", body: new Uint8Array(tar) });
  assert.equal(refused.status, 401, output);

  const response = await fetch(new URL("/push/wrangler/app:v1", workerUrl), { method: "POST", body: new Uint8Array(tar), headers: { authorization: `Bearer ${PUSH_TOKEN}` } });
  const answer = (await response.json()) as { manifest: string; layer: { digest: string; diffID: string } };
  assert.equal(response.status, 200, `${JSON.stringify(answer)}\n${output}`);
  assert.equal(answer.layer.diffID, sha256(tar));
  const { username, password } = registry.credentials!;
  const skopeo = async (what: string) => JSON.parse((await run("skopeo", ["inspect", what, "--tls-verify=false", `--creds=${username}:${password}`, `docker://${registry.host}/wrangler/app:v1`])).stdout) as unknown;
  const raw = (await skopeo("--raw")) as { layers: { digest: string }[] };
  const config = (await skopeo("--config")) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual({ layers: raw.layers.map((layer) => layer.digest), diffIDs: config.rootfs.diff_ids }, { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });
});
