// `streamlayer push --entrypoint` on a base with a Cmd, as docker and crane
// behave: the base's Cmd was written as arguments of the base's entrypoint,
// so a new entrypoint clears it unless --cmd is given too. The base is put in
// the registry by skopeo; skopeo reads what the CLI pushed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { appendLayers, type ConfigFile, emptyImage, StreamLayer } from "../../src/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { type Inspected, skopeo, skopeoJson, streamOf, tarball } from "../image/_image_tools.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { runCli } from "./_run_cli.ts";

let registry: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-cli-entrypoint-"));
let baseRef: string;
let layerFile: string;
let ours: { diffID: string };
before(async () => {
  registry = await startRegistry();
  const base = await tarball({ "bin/base": "base\n" });
  const layout = join(work, "base");
  const image = appendLayers(emptyImage({ config: { Entrypoint: ["/bin/sh", "-c"], Cmd: ["/bin/base"], Env: ["PATH=/bin"] } }), new StreamLayer(streamOf(base.bytes)));
  await writeLayout(layout, image, { tag: "base" });
  baseRef = `${registry.host}/entry/base:1`;
  await skopeo("copy", "--dest-tls-verify=false", `oci:${layout}:base`, `docker://${baseRef}`);
  const layer = await tarball({ "app/run": "#!/bin/sh\necho app\n" });
  layerFile = join(work, "app.tar");
  writeFileSync(layerFile, layer.bytes);
  ours = layer;
});
after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function pushOnBase(tag: string, ...flags: string[]): Promise<ConfigFile> {
  const reference = `${registry.host}/entry/app:${tag}`;
  const result = await runCli(["push", "--base", `docker://${baseRef}`, ...flags, layerFile, reference]);
  assert.equal(result.code, 0, result.stderr);
  return skopeoJson<ConfigFile>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
}

test("--entrypoint on a base with a Cmd: skopeo shows the new entrypoint and no Cmd; the base's layers and Env are kept", async () => {
  const config = await pushOnBase("entrypoint", "--entrypoint", "/app/run");
  assert.deepEqual(config.config?.Entrypoint, ["/app/run"]);
  assert.equal("Cmd" in (config.config ?? {}), false, `no Cmd, else the image would run /app/run /bin/base: ${JSON.stringify(config.config)}`);
  assert.deepEqual(config.config?.Env, ["PATH=/bin"]);
  const base = await skopeoJson<ConfigFile>("inspect", "--config", "--tls-verify=false", `docker://${baseRef}`);
  assert.deepEqual(config.rootfs.diff_ids, [...base.rootfs.diff_ids, ours.diffID]);
  const [baseLayers, appLayers] = await Promise.all([baseRef, `${registry.host}/entry/app:entrypoint`].map(async (reference) => (await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`)).Layers));
  assert.deepEqual(appLayers?.slice(0, -1), baseLayers, "the base's layers, the same digests");
});

test("--entrypoint with --cmd keeps the --cmd given; --cmd alone keeps the base's entrypoint", async () => {
  const both = await pushOnBase("both", "--entrypoint", "/app/run", "--cmd", "--port=8080");
  assert.deepEqual([both.config?.Entrypoint, both.config?.Cmd], [["/app/run"], ["--port=8080"]]);
  const cmd = await pushOnBase("cmd", "--cmd", "/bin/other");
  assert.deepEqual([cmd.config?.Entrypoint, cmd.config?.Cmd], [["/bin/sh", "-c"], ["/bin/other"]]);
});
