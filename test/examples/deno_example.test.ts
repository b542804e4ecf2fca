// examples/deno/: push.ts run by `deno run` with its deno.json, as its comment
// says, on a tar and a .tar.gz from stdin (checked with skopeo); and with the
// permission set of deno.json, which allows 127.0.0.1:5000 only, against a
// registry elsewhere: the error names the --allow-net flag that is missing.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/deno");
const DENO = createRequire(import.meta.url).resolve("deno/bin.cjs");
const run = promisify(execFile);

let registry: RunningRegistry;
before(async () => (registry = await startRegistry()));
after(() => registry?.stop());

/** `deno run <args> push.ts <reference> < stdin` in examples/deno. */
function denoRun(flags: string[], reference: string, stdin: Uint8Array): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [DENO, "run", ...flags, "push.ts", reference], { cwd: EXAMPLE, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

async function inspect(reference: string): Promise<{ layers: string[]; diffIDs: string[] }> {
  const skopeo = async (what: string) => JSON.parse((await run("skopeo", ["inspect", what, "--tls-verify=false", `docker://${reference}`])).stdout) as unknown;
  const raw = (await skopeo("--raw")) as { layers: { digest: string }[] };
  const config = (await skopeo("--config")) as { rootfs: { diff_ids: string[] } };
  return { layers: raw.layers.map((layer) => layer.digest), diffIDs: config.rootfs.diff_ids };
}

const tarball = () => execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", "-", "-C", join(ROOT, "examples/rootfs"), "."]);

test("deno run --allow-net=<registry> push.ts: a tar and a .tar.gz from stdin become images", async () => {
  const tar = tarball();
  const pushed = await denoRun([`--allow-net=${registry.host}`], `${registry.host}/deno/app:tar`, tar);
  assert.equal(pushed.code, 0, pushed.stderr);
  const answer = JSON.parse(pushed.stdout) as { layer: { digest: string } };
  assert.deepEqual(await inspect(`${registry.host}/deno/app:tar`), { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });

  const tgz = gzipSync(tar);
  const compressed = await denoRun([`--allow-net=${registry.host}`], `${registry.host}/deno/app:tgz`, tgz);
  assert.equal(compressed.code, 0, compressed.stderr);
  assert.deepEqual(await inspect(`${registry.host}/deno/app:tgz`), { layers: [sha256(tgz)], diffIDs: [sha256(gunzipSync(tgz))] });
});

test("deno run -P=push (deno.json allows 127.0.0.1:5000) against another port: one line naming the missing flag", async () => {
  const refused = await denoRun(["-P=push"], `${registry.host}/deno/app:refused`, tarball());
  assert.equal(refused.code, 1);
  const line = refused.stderr.split("\n").find((text) => text.startsWith("RegistryError"));
  assert.ok(line, refused.stderr);
  assert.match(line, new RegExp(`Requires net access to "${registry.host}"`));
  assert.match(line, new RegExp(`Deno was not given network access to ${registry.host}: run with --allow-net=${registry.host}`));
});
