// `streamlayer push` with several --platform: each --platform takes the -f
// files that follow it, and one push writes an image per platform under an
// index. skopeo is the judge (--raw for the index, --override-os and
// --override-arch for each platform, --config for its DiffIDs, which
// node:crypto computed from the tar files); every way of pairing that could
// be read two ways is refused with exit 2 and one line, before anything is read.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parsePushArgs } from "../../src/cli/_push_args.ts";
import { appendLayers, createTarStream, emptyImage, StreamLayer, writeIndex } from "../../src/index.ts";
import { type Inspected, type InspectedConfig, skopeo, skopeoJson, tarball } from "../image/_image_tools.ts";
import { REGISTRY_KINDS, startRegistry, type RunningRegistry } from "../support/registry.ts";
import { sha256 } from "../support/tools.ts";
import { lastLine, runCli } from "./_run_cli.ts";

const noTls = "--tls-verify=false";
const work = mkdtempSync(join(tmpdir(), "streamlayer-platforms-"));
after(() => rmSync(work, { recursive: true, force: true }));

interface RawIndex {
  mediaType: string;
  manifests: { mediaType: string; digest: string; platform: { os: string; architecture: string; variant?: string } }[];
}

interface PushedIndex {
  reference: string;
  kind: string;
  descriptor: { mediaType: string; digest: string; size: number };
  images: { platform: string; descriptor: { digest: string }; layers: { digest: string; diffID: string }[] }[];
  tags: string[];
}

/** A tar file made by createTarStream, with its DiffID by node:crypto. */
async function tarFile(name: string, files: Record<string, string>): Promise<{ path: string; diffID: string }> {
  const { bytes, diffID } = await tarball(files);
  const path = join(work, name);
  writeFileSync(path, bytes);
  return { path, diffID };
}

function inspectArch<T>(reference: string, architecture: string, ...more: string[]): Promise<T> {
  return skopeoJson<T>("inspect", noTls, ...more, "--override-os", "linux", "--override-arch", architecture, `docker://${reference}`);
}

test("the pairing rule: each --platform takes the -f files after it, in any spelling; one --platform is one image as before", () => {
  const args = parsePushArgs(["--platform=linux/amd64", "-f", "a.tar", "--file=b.tar", "-t", "1", "--platform", "linux/arm/v7", "-fc.tar", "--env", "TZ=UTC", "-f", "d.tar", "r.example/app:1"]);
  assert.deepEqual(args.platforms, [
    { platform: { os: "linux", architecture: "amd64" }, inputs: ["a.tar", "b.tar"] },
    { platform: { os: "linux", architecture: "arm", variant: "v7" }, inputs: ["c.tar", "d.tar"] },
  ]);
  assert.deepEqual(args.inputs, ["a.tar", "b.tar", "c.tar", "d.tar"]);
  assert.equal(args.destination, "r.example/app:1");
  // Options that are not --platform or -f may stand anywhere.
  assert.deepEqual(args.edits.env, ["TZ=UTC"]);
  assert.deepEqual(args.tags, ["1"]);
  // One --platform: every layer is the one image's, wherever it stands.
  const one = parsePushArgs(["-f", "a.tar", "--platform", "linux/arm64", "-f", "b.tar", "r.example/app:1"]);
  assert.equal(one.platforms, undefined);
  assert.deepEqual(one.inputs, ["a.tar", "b.tar"]);
  assert.deepEqual(one.platform, { os: "linux", architecture: "arm64" });
});

const AMBIGUOUS: Array<{ what: string; argv: string[]; message: RegExp }> = [
  { what: "a -f before the first --platform", argv: ["-f", "x.tar", "--platform", "linux/amd64", "-f", "a.tar", "--platform", "linux/arm64", "-f", "b.tar"], message: /-f x\.tar comes before the first --platform/ },
  { what: "a --platform with no -f after it (the last)", argv: ["--platform", "linux/amd64", "-f", "a.tar", "--platform", "linux/arm64"], message: /--platform linux\/arm64 has no -f after it/ },
  { what: "a --platform with no -f after it (in the middle)", argv: ["--platform", "linux/amd64", "--platform", "linux/arm64", "-f", "a.tar", "-f", "b.tar"], message: /--platform linux\/amd64 has no -f after it/ },
  { what: "a layer given as an argument", argv: ["--platform", "linux/amd64", "-f", "a.tar", "--platform", "linux/arm64", "-f", "b.tar", "c.tar"], message: /<destination> is the only argument, got 2/ },
  { what: "a platform given twice", argv: ["--platform", "linux/arm64", "-f", "a.tar", "--platform", "linux/arm64", "-f", "b.tar"], message: /--platform linux\/arm64 is given twice/ },
  { what: "--blob", argv: ["--blob", "--platform", "linux/amd64", "-f", "a.tar", "--platform", "linux/arm64", "-f", "b.tar"], message: /--blob pushes one layer: it cannot take several --platform/ },
  { what: "stdin for two platforms", argv: ["--platform", "linux/amd64", "-f", "-", "--platform", "linux/arm64", "-f", "-"], message: /stdin \(-\) can be only one of the layers/ },
  { what: "a bad platform", argv: ["--platform", "linux/amd64", "-f", "a.tar", "--platform", "arm64", "-f", "b.tar"], message: /Invalid --platform: arm64: expected os\/arch\[\/variant\]/ },
];

describe("pairings that could be read two ways are refused: exit 2, one line, nothing read or pushed", () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry?.stop();
  });

  for (const { what, argv, message } of AMBIGUOUS) {
    test(what, async () => {
      // The files named do not exist: a usage error comes before any is opened.
      const result = await runCli(["push", ...argv, `${registry.host}/refused/app:1`]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(lastLine(result.stderr), message);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /^streamlayer: /);
      assert.equal(result.stdout, "");
    });
  }

  test("an oci: layout destination", async () => {
    const result = await runCli(["push", "--platform", "linux/amd64", "-f", "a.tar", "--platform", "linux/arm64", "-f", "b.tar", `oci:${join(work, "layout")}:1`]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(lastLine(result.stderr), /several --platform need a registry destination/);
  });

  test("nothing reached the registry", async () => {
    const catalog = (await (await fetch(`${registry.url}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.deepEqual(catalog.repositories, []);
  });

  test("push --help says how files pair with platforms", async () => {
    const result = await runCli(["push", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /each takes the -f files that follow it,\s+up to the next --platform/);
    assert.match(result.stdout, /--platform linux\/amd64 -f app-amd64\.tar \\\n\s+--platform linux\/arm64 -f app-arm64\.tar/);
  });
});

for (const kind of REGISTRY_KINDS) {
  describe(`push --platform … -f … --platform … -f … to ${kind}`, () => {
    let registry: RunningRegistry;
    before(async () => {
      registry = await startRegistry({ kind });
    });
    after(async () => {
      await registry?.stop();
    });

    test("one push, an OCI index of both platforms: skopeo reads each architecture's layers and DiffIDs; -t tags the index", async () => {
      const amd64 = await tarFile(`${kind}-amd64.tar`, { "app/server": "built for amd64\n" });
      const armBase = await tarFile(`${kind}-arm64-deps.tar`, { "lib/deps": "arm64 libraries\n" });
      const arm64 = await tarFile(`${kind}-arm64.tar`, { "app/server": "built for arm64\n" });
      const reference = `${registry.host}/platforms/app:1`;
      const result = await runCli([
        "push", "--json", "--platform", "linux/amd64", "-f", amd64.path,
        "--platform", "linux/arm64", "-f", armBase.path, "-f", arm64.path,
        "--env", "TZ=UTC", "-t", "latest", reference,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const pushed = JSON.parse(result.stdout) as PushedIndex;
      assert.equal(pushed.kind, "index");
      assert.equal(pushed.reference, `${registry.host}/platforms/app@${pushed.descriptor.digest}`);
      assert.match(result.stderr, /^Pushed index of 2 platforms to /m);

      const raw = await skopeo("inspect", noTls, "--raw", `docker://${reference}`);
      const index = JSON.parse(raw) as RawIndex;
      assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
      assert.equal(sha256(new TextEncoder().encode(raw)), pushed.descriptor.digest);
      assert.deepEqual(index.manifests.map((m) => m.platform), [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }]);
      assert.deepEqual(index.manifests.map((m) => m.digest), pushed.images.map((image) => image.descriptor.digest));
      assert.equal(await skopeo("inspect", noTls, "--raw", `docker://${registry.host}/platforms/app:latest`), raw, "-t puts the same index under another tag");

      const expected = { amd64: [amd64.diffID], arm64: [armBase.diffID, arm64.diffID] };
      for (const [i, [architecture, diffIDs]] of Object.entries(expected).entries()) {
        const inspected = await inspectArch<Inspected>(reference, architecture);
        assert.equal(inspected.Architecture, architecture);
        assert.deepEqual(inspected.Layers, pushed.images[i]!.layers.map((layer) => layer.digest));
        const config = await inspectArch<InspectedConfig & { config: { Env?: string[] } }>(reference, architecture, "--config");
        assert.deepEqual(config.rootfs.diff_ids, diffIDs, `${architecture}: its own files, bottom first`);
        assert.equal(config.architecture, architecture);
        assert.ok(config.config.Env?.includes("TZ=UTC"), "the edits apply to every platform");
      }
    });
  });
}

describe("several platforms with --base and --media-type", () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry?.stop();
  });

  test("--base is pulled for each platform: each image is its platform's base with its own layer on top", async () => {
    const base = `${registry.host}/platforms/base:1`;
    const baseLayers = ["amd64", "arm64"].map((architecture) => new StreamLayer(createTarStream([{ path: "etc/base-arch", data: `${architecture}\n` }])));
    await writeIndex(base, ["amd64", "arm64"].map((architecture, i) => ({ image: appendLayers(emptyImage({ architecture }), baseLayers[i]!) })));
    const amd64 = await tarFile("on-base-amd64.tar", { "app/server": "amd64 on base\n" });
    const arm64 = await tarFile("on-base-arm64.tar", { "app/server": "arm64 on base\n" });
    const reference = `${registry.host}/platforms/on-base:1`;
    const result = await runCli(["push", "--base", base, "--platform", "linux/amd64", "-f", amd64.path, "--platform", "linux/arm64", "-f", arm64.path, reference]);
    assert.equal(result.code, 0, result.stderr);
    for (const [i, architecture] of ["amd64", "arm64"].entries()) {
      const config = await inspectArch<InspectedConfig>(reference, architecture, "--config");
      assert.deepEqual(config.rootfs.diff_ids, [await baseLayers[i]!.diffID(), (i === 0 ? amd64 : arm64).diffID]);
    }
  });

  test("--media-type docker gives a Docker manifest list of Docker images", async () => {
    const amd64 = await tarFile("docker-amd64.tar", { "app/server": "amd64\n" });
    const arm64 = await tarFile("docker-arm64.tar", { "app/server": "arm64\n" });
    const reference = `${registry.host}/platforms/docker:1`;
    const result = await runCli(["push", "--media-type", "docker", "--platform", "linux/amd64", "-f", amd64.path, "--platform", "linux/arm64/v8", "-f", arm64.path, reference]);
    assert.equal(result.code, 0, result.stderr);
    const index = await skopeoJson<RawIndex>("inspect", noTls, "--raw", `docker://${reference}`);
    assert.equal(index.mediaType, "application/vnd.docker.distribution.manifest.list.v2+json");
    assert.deepEqual(index.manifests.map((m) => m.mediaType), Array(2).fill("application/vnd.docker.distribution.manifest.v2+json"));
    assert.deepEqual(index.manifests.map((m) => m.platform), [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64", variant: "v8" }]);
    assert.equal(result.stdout, `${registry.host}/platforms/docker@${sha256(new TextEncoder().encode(await skopeo("inspect", noTls, "--raw", `docker://${reference}`)))}\n`);
    const arm = await skopeoJson<InspectedConfig>("inspect", noTls, "--config", "--override-os", "linux", "--override-arch", "arm64", "--override-variant", "v8", `docker://${reference}`);
    assert.deepEqual(arm.rootfs.diff_ids, [arm64.diffID]);
  });
});
