import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { appendLayers, emptyImage, type Layer, StreamLayer, createTarStream } from "../../src/index.ts";
import { writeLayout } from "../../src/layout/index.ts";
import { parseOciTarget } from "../../src/layout/_oci_target.ts";
import { sha256 } from "../support/tools.ts";

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "streamlayer-layout-"));
  dirs.push(dir);
  return dir;
}
const skopeo = (...args: string[]): string => execFileSync("skopeo", args, { encoding: "utf8" });
const blob = (dir: string, digest: string): Buffer => readFileSync(join(dir, "blobs", "sha256", digest.slice(7)));

function layerOf(files: Record<string, string>): StreamLayer {
  return new StreamLayer(createTarStream(Object.entries(files).map(([path, data]) => ({ path, data }))));
}

test("skopeo inspects what writeLayout wrote: the layer digest, and the DiffID in rootfs.diff_ids", async () => {
  const dir = tempDir();
  const layer = layerOf({ "hello.txt": "hello\n", "etc/os-release": "ID=demo\n" });
  const image = appendLayers(emptyImage({ config: { Cmd: ["/hello"] } }), layer);
  const descriptor = await writeLayout(dir, image, { tag: "v1" });

  const inspect = JSON.parse(skopeo("inspect", `oci:${dir}:v1`)) as { Layers: string[]; Digest: string };
  const layerDigest = await layer.digest();
  assert.deepEqual(inspect.Layers, [layerDigest]);
  assert.equal(inspect.Digest, descriptor.digest);
  const config = JSON.parse(skopeo("inspect", "--config", `oci:${dir}:v1`)) as { rootfs: { diff_ids: string[] }; config: { Cmd: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, [sha256(gunzipSync(blob(dir, layerDigest)))]);
  assert.deepEqual(config.config.Cmd, ["/hello"]);

  // Every blob sits under the SHA-256 of its bytes, and nothing temporary is left.
  const names = readdirSync(join(dir, "blobs", "sha256"));
  assert.equal(names.length, 3);
  for (const name of names) assert.equal(sha256(blob(dir, `sha256:${name}`)), `sha256:${name}`);
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: { digest: string; annotations: Record<string, string> }[] };
  assert.deepEqual(index.manifests.map((m) => [m.digest, m.annotations["org.opencontainers.image.ref.name"]]), [[descriptor.digest, "v1"]]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
});

test("a second tag is added beside the first; the same tag moves to the new manifest", async () => {
  const dir = tempDir();
  const a = await writeLayout(dir, appendLayers(emptyImage(), layerOf({ a: "1" })), { tag: "a" });
  const b = await writeLayout(dir, appendLayers(emptyImage(), layerOf({ b: "2" })), { tag: "b" });
  const a2 = await writeLayout(dir, appendLayers(emptyImage(), layerOf({ a: "3" })), { tag: "a" });
  assert.notEqual(a.digest, a2.digest);
  assert.equal((JSON.parse(skopeo("inspect", `oci:${dir}:a`)) as { Digest: string }).Digest, a2.digest);
  assert.equal((JSON.parse(skopeo("inspect", `oci:${dir}:b`)) as { Digest: string }).Digest, b.digest);
});

test("a source failing in the middle leaves no blob under a wrong name and no temporary file", async () => {
  const dir = tempDir();
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 3) return controller.error(new Error("disk unplugged"));
      sent++;
      controller.enqueue(new Uint8Array(64 * 1024).fill(sent));
    },
  });
  await assert.rejects(writeLayout(dir, appendLayers(emptyImage(), new StreamLayer(source, { requireTar: false }))), /disk unplugged/);
  assert.deepEqual(readdirSync(join(dir, "blobs", "sha256")), []);
  assert.equal(readdirSync(dir).includes("index.json"), false);
});

test("bytes that do not match the layer's digest are refused and removed", async () => {
  const dir = tempDir();
  const bytes = new Uint8Array([1, 2, 3]);
  const wrong = `sha256:${"0".repeat(64)}`;
  const liar: Layer = {
    digest: async () => wrong,
    diffID: async () => wrong,
    size: async () => 3,
    mediaType: () => "application/vnd.oci.image.layer.v1.tar+gzip",
    compressed: () => new Blob([bytes]).stream(),
    computed: () => ({ digest: wrong, diffID: wrong, size: 3 }),
  };
  await assert.rejects(writeLayout(dir, appendLayers(emptyImage(), liar)), { code: "DIGEST_MISMATCH" });
  assert.deepEqual(readdirSync(join(dir, "blobs", "sha256")), []);
});

test("an aborted write stops and cleans up", async () => {
  const dir = tempDir();
  const controller = new AbortController();
  controller.abort(new Error("stop now"));
  await assert.rejects(writeLayout(dir, appendLayers(emptyImage(), layerOf({ x: "y" })), { signal: controller.signal }), /stop now/);
  assert.deepEqual(readdirSync(join(dir, "blobs", "sha256")), []);
});

test("an abort after the layers are written leaves the tag where it was", async () => {
  const dir = tempDir();
  const before = await writeLayout(dir, appendLayers(emptyImage(), layerOf({ old: "1" })), { tag: "t" });
  const controller = new AbortController();
  const onBlob = ({ kind }: { kind: string }): void => {
    if (kind === "layer") controller.abort(new Error("stop after the layer"));
  };
  const image = appendLayers(emptyImage(), layerOf({ new: "2" }));
  await assert.rejects(writeLayout(dir, image, { tag: "t", signal: controller.signal, onBlob }), /stop after the layer/);
  assert.equal((JSON.parse(skopeo("inspect", `oci:${dir}:t`)) as { Digest: string }).Digest, before.digest);
});

test("oci:<dir>[:<tag>] targets parse as skopeo spells them; a bad tag is refused", async () => {
  assert.deepEqual(parseOciTarget("oci:/tmp/out:v1"), { directory: "/tmp/out", tag: "v1" });
  assert.deepEqual(parseOciTarget("oci:out"), { directory: "out", tag: undefined });
  assert.deepEqual(parseOciTarget("oci:./a/b"), { directory: "./a/b", tag: undefined });
  assert.equal(parseOciTarget("docker.io/library/alpine"), undefined);
  assert.throws(() => parseOciTarget("oci:"), TypeError);
  await assert.rejects(writeLayout("x", emptyImage(), { tag: "bad tag" }), TypeError);
});
