// examples/node/: push.ts run as its comment says (`node --import tsx`), a tar
// and a .tar.gz piped to its stdin, checked with skopeo; a file that is not a
// tar ends with exit 1 and a one-line InvalidLayerSourceError.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/node");
const run = promisify(execFile);

let registry: RunningRegistry;
before(async () => (registry = await startRegistry()));
after(() => registry?.stop());

function push(reference: string, stdin: Uint8Array): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "push.ts", reference], { cwd: EXAMPLE });
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

test("tar | node --import tsx push.ts <image>: the tar becomes the image's layer", async () => {
  const tar = tarball();
  const pushed = await push(`${registry.host}/node/app:tar`, tar);
  assert.equal(pushed.code, 0, pushed.stderr);
  const answer = JSON.parse(pushed.stdout) as { layer: { digest: string; diffID: string } };
  assert.equal(answer.layer.diffID, sha256(tar));
  assert.deepEqual(await inspect(`${registry.host}/node/app:tar`), { layers: [answer.layer.digest], diffIDs: [sha256(tar)] });
});

test("push.ts < layer.tar.gz: pushed as it is, DiffID from gunzip", async () => {
  const tgz = gzipSync(tarball());
  const pushed = await push(`${registry.host}/node/app:tgz`, tgz);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.deepEqual(await inspect(`${registry.host}/node/app:tgz`), { layers: [sha256(tgz)], diffIDs: [sha256(gunzipSync(tgz))] });
});

test("push.ts < bytes that are not a tar: exit 1, one line", async () => {
  const refused = await push(`${registry.host}/node/app:bad`, Buffer.from("not a tar\n".repeat(100)));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr.trim().split("\n").at(-1)!, /^InvalidLayerSourceError: Invalid layer source: found bytes that are not a tar/);
});
