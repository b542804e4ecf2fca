import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import { appendLayers, emptyImage, StreamLayer } from "../../src/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { type Inspected, skopeo, skopeoJson, streamOf, tarball } from "../image/_image_tools.ts";

let registry: RunningRegistry;
const work = mkdtempSync(join(tmpdir(), "streamlayer-layout-registry-"));
before(async () => {
  registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("skopeo copies what writeLayout wrote into the real registry, digests unchanged", async () => {
  const tars = [await tarball({ "one/a": "1" }), await tarball({ "two/b": "2" })];
  const layers = tars.map(({ bytes }) => new StreamLayer(streamOf(bytes)));
  const layout = join(work, "layout");
  const descriptor = await writeLayout(layout, appendLayers(emptyImage({ config: { Cmd: ["/one/a"] } }), ...layers), { tag: "t1" });

  const reference = `${registry.host}/layout/copied:t1`;
  await skopeo("copy", "--preserve-digests", "--dest-tls-verify=false", `oci:${layout}:t1`, `docker://${reference}`);
  const stored = await new RegistryClient(reference).headManifest("t1");
  assert.equal(stored?.digest, descriptor.digest);
  const inspect = await skopeoJson<Inspected>("inspect", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(inspect.Layers, await Promise.all(layers.map((layer) => layer.digest())));
  const config = await skopeoJson<{ rootfs: { diff_ids: string[] } }>("inspect", "--config", "--tls-verify=false", `docker://${reference}`);
  assert.deepEqual(config.rootfs.diff_ids, tars.map((t) => t.diffID));
});
