// The input check against image tarballs as the tools write them (GNU tar,
// umoci, skopeo), in the entry orders they and users give, and against tars
// whose first entries look like an image's but are not.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sniffLayerSource, StreamLayer, type InvalidLayerSourceError } from "../../src/index.ts";
import { chunkedStream } from "../support/bytes.ts";
import { temporaryDirectory } from "../support/tools.ts";

let work: { path: string; remove(): Promise<void> };
/** The OCI layout umoci made, unpacked, with one layer. */
let layout: string;
/** skopeo's docker-archive of the same image, and that archive unpacked. */
let dockerArchive: Uint8Array;
let unpackedArchive: string;

function sh(command: string, args: string[], cwd = work.path): Buffer {
  return execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

/** GNU tar of `names` in `directory`, in that order. */
function tarOf(directory: string, names: string[]): Uint8Array {
  return new Uint8Array(sh("tar", ["-cf", "-", "-C", directory, ...names]));
}

before(async () => {
  work = await temporaryDirectory("streamlayer-sniff-");
  layout = join(work.path, "layout");
  sh("umoci", ["init", "--layout", layout]);
  sh("umoci", ["new", "--image", `${layout}:v1`]);
  writeFileSync(join(work.path, "motd"), "hello\n");
  sh("umoci", ["insert", "--image", `${layout}:v1`, join(work.path, "motd"), "/etc/motd"]);
  sh("skopeo", ["copy", `oci:${layout}:v1`, `docker-archive:${join(work.path, "saved.tar")}:app:v1`]);
  dockerArchive = new Uint8Array(readFileSync(join(work.path, "saved.tar")));
  unpackedArchive = join(work.path, "saved");
  mkdirSync(unpackedArchive);
  sh("tar", ["-xf", join(work.path, "saved.tar"), "-C", unpackedArchive]);
});
after(() => work?.remove());

/** Reads `bytes` as a StreamLayer in `chunkSizes` and returns the refusal, checking the source was not read to its end. */
async function refusal(bytes: Uint8Array, chunkSizes: number[], readsAll = false): Promise<InvalidLayerSourceError> {
  const { stream, record } = chunkedStream(bytes, { chunkSizes });
  const layer = new StreamLayer(stream);
  const error = await new Response(layer.compressed()).arrayBuffer().then(
    () => assert.fail("the layer was made"),
    (failure: InvalidLayerSourceError) => failure,
  );
  assert.equal(error.name, "InvalidLayerSourceError");
  assert.ok(record.cancelled !== undefined, "the source is cancelled");
  if (!readsAll && chunkSizes.every((size) => size < bytes.length / 2)) assert.ok(record.pulled < bytes.length, `read ${record.pulled} of ${bytes.length}: not to the end`);
  return error;
}

async function acceptedDiffID(bytes: Uint8Array, chunkSizes: number[]): Promise<string> {
  const layer = new StreamLayer(chunkedStream(bytes, { chunkSizes }).stream);
  await new Response(layer.compressed()).arrayBuffer();
  return layer.diffID();
}

test("skopeo's docker-archive (a `docker save` tarball) is an image tarball, from its first block, in any chunking", async () => {
  assert.match(sh("tar", ["-tf", join(work.path, "saved.tar")]).toString(), /^[0-9a-f]{64}\.tar\n/, "skopeo writes the layer first");
  assert.equal(sniffLayerSource(dockerArchive.subarray(0, 512), false), "image-tarball");
  for (const chunkSizes of [[512], [100, 7], [65_536]]) {
    const error = await refusal(dockerArchive, chunkSizes);
    assert.equal(error.found, "image-tarball");
    assert.match(error.message, /docker save.*docker-archive:/);
  }
});

test("an older `docker save` tarball (a folder per layer first) and a Docker 25+ one (an OCI layout with manifest.json) are image tarballs", async () => {
  // Docker before 25 writes <id>/VERSION, <id>/json, <id>/layer.tar first, then <config>.json, manifest.json, repositories.
  const names = sh("ls", [unpackedArchive]).toString().trim().split("\n");
  const folder = names.find((name) => /^[0-9a-f]{64}$/.test(name));
  assert.ok(folder, `a legacy layer folder among ${names.join(" ")}`);
  const older = tarOf(unpackedArchive, [folder, ...names.filter((name) => name !== folder)]);
  assert.equal(sniffLayerSource(older.subarray(0, 512), false), "image-tarball");
  assert.match((await refusal(older, [512])).message, /docker save/);
  // Docker 25+ saves an OCI layout with docker's manifest.json and repositories beside it.
  const docker25 = join(work.path, "docker25");
  sh("cp", ["-r", layout, docker25]);
  writeFileSync(join(docker25, "manifest.json"), readFileSync(join(unpackedArchive, "manifest.json")));
  writeFileSync(join(docker25, "repositories"), readFileSync(join(unpackedArchive, "repositories")));
  for (const order of [["."], ["manifest.json", "repositories", "index.json", "blobs", "oci-layout"], ["index.json", "manifest.json", "oci-layout", "blobs"]]) {
    const saved = tarOf(docker25, order);
    assert.equal((await refusal(saved, [512])).found, "image-tarball", order.join(" "));
    assert.equal((await refusal(saved, [100, 1000])).found, "image-tarball", order.join(" "));
  }
});

test("an OCI layout is an image tarball in any entry order, with or without ./", async () => {
  for (const order of [["."], ["index.json", "oci-layout", "blobs"], ["./index.json", "./blobs", "./oci-layout"], ["oci-layout", "index.json", "blobs"], ["blobs", "index.json", "oci-layout"]]) {
    const bytes = tarOf(layout, order);
    const error = await refusal(bytes, [300]);
    assert.equal(error.found, "image-tarball", order.join(" "));
    assert.match(error.message, /image tarball.*(skopeo|crane)/, order.join(" "));
  }
});

test("a tar whose first entries are ./, index.json or manifest.json of a web app is a tar, told within its first entries", async () => {
  const site = join(work.path, "site");
  mkdirSync(join(site, "css"), { recursive: true });
  writeFileSync(join(site, "index.json"), '{"pages":[]}');
  writeFileSync(join(site, "manifest.json"), '{"name":"app"}');
  writeFileSync(join(site, "css", "site.css"), "body{}\n");
  for (const order of [["."], ["index.json", "css"], ["./manifest.json", "./css"], ["css", "index.json", "manifest.json"], ["./index.json", "./manifest.json", "./css"]]) {
    const bytes = tarOf(site, order);
    const known = bytes.length >= 2048 ? sniffLayerSource(bytes.subarray(0, 2048), false) : undefined;
    assert.equal(known, "tar", `${order.join(" ")}: told from its first 2 KiB`);
    assert.match(await acceptedDiffID(bytes, [512, 100]), /^sha256:[0-9a-f]{64}$/, order.join(" "));
  }
  // The root folder then a folder: two blocks.
  assert.equal(sniffLayerSource(tarOf(site, ["./css", "index.json"]).subarray(0, 512), false), "tar");
  assert.equal(sniffLayerSource(tarOf(join(site, ".."), ["./site/css"]).subarray(0, 512), false), "tar");
});

test("a block of zeros followed by data is not a tar; zeros alone are an empty tar", async () => {
  const tar = tarOf(layout, ["oci-layout"]);
  const zerosThenData = new Uint8Array(512 + tar.length);
  zerosThenData.set(tar, 512);
  assert.equal(sniffLayerSource(zerosThenData.subarray(0, 512), false), undefined, "one block of zeros does not settle it");
  const error = await refusal(zerosThenData, [512]);
  assert.equal(error.found, "not-tar");
  assert.match(error.message, /zeros.*followed by data/);
  const late = new Uint8Array(20_000);
  late[19_999] = 1;
  assert.equal((await refusal(late, [4096], true)).found, "not-tar");
  for (const length of [512, 1024, 10_240]) {
    assert.equal(await acceptedDiffID(new Uint8Array(length), [512]), `sha256:${hashOfZeros(length)}`);
  }
});

function hashOfZeros(length: number): string {
  return execFileSync("sha256sum", { input: new Uint8Array(length) }).toString().split(" ")[0]!;
}
