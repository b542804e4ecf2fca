// extractImage against umoci: the same image written to an OCI layout and
// unpacked by `umoci unpack --rootless` (which applies whiteouts and opaque
// directories layer by layer), and our tar unpacked by GNU tar, give the same
// file tree: names, types, contents, link targets, permission bits, hard
// links. The layers are made by GNU tar from directories on disk, in its gnu
// format (long names as 'L' records, names starting with ./) and in PAX.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync, linkSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { createTarPacker, type TarHeader, unpackTar } from "modern-tar";
import { appendLayers, emptyImage, extractImage, InvalidTarError, type Layer, StreamLayer, UnsafeTarPathError } from "../../src/index.ts";
import { readLayout, writeLayout } from "../../src/layout/index.ts";
import { temporaryDirectory } from "../support/tools.ts";
import { fileTree } from "./_file_tree.ts";
import { streamOf } from "./_image_tools.ts";

const run = promisify(execFile);
let work: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => {
  work = await temporaryDirectory("streamlayer-extract-");
});
after(async () => {
  await work?.remove();
});

const LONG = `deep/${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(40)}.txt`;

/** Files of a layer: a string is a file's content; `{ symlink }`, `{ link }` (hard), `{ dir }`. */
type Spec = Record<string, string | { symlink: string } | { link: string } | { dir: true } | { mode: number; data: string }>;

function makeTree(directory: string, spec: Spec): void {
  for (const [path, what] of Object.entries(spec)) {
    const full = join(directory, path);
    mkdirSync(join(full, ".."), { recursive: true });
    if (typeof what === "string") writeFileSync(full, what);
    else if ("symlink" in what) symlinkSync(what.symlink, full);
    else if ("link" in what) linkSync(join(directory, what.link), full);
    else if ("dir" in what) mkdirSync(full, { recursive: true });
    else {
      writeFileSync(full, what.data);
      chmodSync(full, what.mode);
    }
  }
}

/** A layer's tar, made by GNU tar from a directory, with ./ names. */
async function gnuTar(name: string, spec: Spec, format: "gnu" | "posix"): Promise<Uint8Array> {
  const directory = join(work.path, "trees", name);
  mkdirSync(directory, { recursive: true });
  makeTree(directory, spec);
  const { stdout } = await run("tar", [`--format=${format}`, "--sort=name", "-C", directory, "-cf", "-", "."], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 });
  return new Uint8Array(stdout);
}

const LAYERS: [Spec, "gnu" | "posix"][] = [
  [
    {
      "etc/motd": "old\n",
      "etc/keep": "keep\n",
      "etc/replaced-by-dir": "a file first\n",
      "tmp/gone": "gone\n",
      "tmp/gone-dir/a": "a\n",
      "opq/one": "1\n",
      "opq/sub/two": "2\n",
      "bin/busybox": { mode: 0o755, data: "#!busybox\n" },
      "bin/sh": { link: "bin/busybox" },
      "bin/ls": { link: "bin/busybox" },
      "data/a-old": "H\n",
      "data/b-link": { link: "data/a-old" },
      // GNU tar stores the first name (sorted) as the file, the others as links to it.
      "hl/a-target": "T\n",
      "hl/b-alias": { link: "hl/a-target" },
      "hl/c-alias": { link: "hl/a-target" },
      "lib/target": "t\n",
      "lib/link": { symlink: "target" },
      "lib/absolute": { symlink: "/etc/motd" },
      "lib/dangling": { symlink: "../nowhere" },
      [LONG]: "long name, gnu format\n",
      // Sorted after LONG, so GNU tar writes them as links whose long target takes a 'K' record.
      "zz-long-hardlink": { link: LONG },
      "zz-long-symlink": { symlink: `/${LONG}` },
    },
    "gnu",
  ],
  [
    {
      "etc/motd": "new\n",
      "tmp/.wh.gone": "",
      "tmp/.wh.gone-dir": "",
      "opq/.wh..wh..opq": "",
      "opq/three": "3\n",
      "data/a-old": "replaced\n",
      "hl/.wh.a-target": "",
      [`${LONG}.pax`]: "long name, pax format\n",
      "etc/replaced-by-dir/inside": "now a directory\n",
    },
    "posix",
  ],
  [
    {
      "lib/.wh.link": "",
      "lib/link": "a file where the symlink was\n",
      "bin/.wh.ls": "",
      "empty-dir": { dir: true },
      "secret": { mode: 0o600, data: "private\n" },
    },
    "gnu",
  ],
];

async function layerTars(): Promise<Uint8Array[]> {
  return Promise.all(LAYERS.map(([spec, format], index) => gnuTar(`layer-${index}`, spec, format)));
}

function imageOf(tars: readonly Uint8Array[]) {
  return appendLayers(emptyImage(), ...tars.map((bytes) => new StreamLayer(streamOf(bytes))));
}

async function entryNames(tar: Uint8Array): Promise<string[]> {
  return (await unpackTar(tar)).map((entry) => entry.header.name);
}

test("extractImage gives the file tree umoci unpacks from the same image: whiteouts, opaque directories, hard and symbolic links, long names", async () => {
  const tars = await layerTars();
  const layout = join(work.path, "layout");
  await writeLayout(layout, imageOf(tars), { tag: "t" });
  const bundle = join(work.path, "bundle");
  await run("umoci", ["unpack", "--rootless", "--image", `${layout}:t`, bundle]);

  // The layout's layers can be read again: a hard link whose target an upper layer replaced needs its own layer twice.
  const tar = new Uint8Array(await new Response(extractImage(await readLayout(layout, { tag: "t" }))).arrayBuffer());
  const names = await entryNames(tar);
  assert.equal(new Set(names).size, names.length, "each path written once");
  assert.ok(names.every((name) => !name.startsWith("./") && !name.startsWith("/") && !name.includes(".wh.")), names.join(", "));
  const extracted = join(work.path, "extracted");
  mkdirSync(extracted);
  await new Promise<void>((resolve, reject) => {
    const child = execFile("tar", ["-xf", "-", "-C", extracted], (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(tar);
  });

  const ours = fileTree(extracted);
  const umoci = fileTree(join(bundle, "rootfs"));
  assert.deepEqual(ours, umoci);
  // What the comparison covers, said outright.
  assert.equal(ours.entries["etc/motd"]?.content, "new\n");
  assert.equal(ours.entries["tmp/gone"], undefined);
  assert.equal(ours.entries["tmp/gone-dir/a"], undefined);
  assert.deepEqual(Object.keys(ours.entries).filter((path) => path.startsWith("opq/")), ["opq/three"]);
  assert.equal(ours.entries["data/b-link"]?.content, "H\n", "a hard link keeps its layer's content when the target is replaced above");
  assert.equal(ours.entries["data/a-old"]?.content, "replaced\n");
  assert.deepEqual(ours.hardLinks, [[LONG, "zz-long-hardlink"], ["bin/busybox", "bin/sh"], ["hl/b-alias", "hl/c-alias"]].sort(), "links to a whited-out target keep sharing its old content");
  assert.equal(ours.entries["zz-long-symlink"]?.target, `/${LONG}`);
  assert.equal(ours.entries["hl/b-alias"]?.content, "T\n");
  assert.equal(ours.entries["hl/a-target"], undefined);
  assert.deepEqual(ours.entries["lib/absolute"], { type: "symlink", mode: 0, target: "/etc/motd" });
  assert.equal(ours.entries["lib/link"]?.type, "file");
  assert.equal(ours.entries["etc/replaced-by-dir"]?.type, "directory");
  assert.equal(ours.entries[LONG]?.content, "long name, gnu format\n");
  assert.equal(ours.entries[`${LONG}.pax`]?.content, "long name, pax format\n");
  assert.equal(ours.entries["secret"]?.mode, 0o600);
  assert.equal(ours.entries["bin/busybox"]?.mode, 0o755);
});

/** A tar of hand-made headers, for names GNU tar would not write. */
async function handTar(entries: { header: TarHeader; data?: string }[]): Promise<Uint8Array> {
  const { readable, controller } = createTarPacker();
  const bytes = new Response(readable).arrayBuffer();
  for (const { header, data } of entries) {
    const body = controller.add({ ...header, size: data === undefined ? 0 : new TextEncoder().encode(data).length });
    const writer = body.getWriter();
    if (data) await writer.write(new TextEncoder().encode(data));
    await writer.close();
  }
  controller.finalize();
  return new Uint8Array(await bytes);
}

for (const [what, header] of [
  ["an entry named ../escape", { name: "../escape", type: "file" }],
  ["an entry named a/../../escape", { name: "a/../../escape", type: "file" }],
  ["a hard link to ../../etc/passwd", { name: "innocent", type: "link", linkname: "../../etc/passwd" }],
  ["a whiteout .wh... that would remove the parent", { name: "a/.wh...", type: "file" }],
] as const) {
  test(`extractImage refuses ${what} with UnsafeTarPathError, writing nothing for it`, async () => {
    const tar = await handTar([{ header: { name: "before", size: 0, type: "file" }, data: "kept" }, { header: { size: 0, ...header } }]);
    const reader = extractImage(imageOf([tar])).getReader();
    const seen: Uint8Array[] = [];
    const failure = await (async () => {
      for (;;) {
        const next = await reader.read();
        if (next.done) return undefined;
        seen.push(next.value);
      }
    })().catch((error: unknown) => error);
    assert.ok(failure instanceof UnsafeTarPathError, String(failure));
    assert.equal(failure.code, "UNSAFE_TAR_PATH");
    assert.equal(failure.layer, 0);
    const written = new TextDecoder().decode(Buffer.concat(seen));
    assert.ok(!written.includes("escape") && !written.includes("passwd"), "nothing of the refused entry was written");
  });
}

test("extractImage normalizes names as the tools do: ./ and a leading / dropped, a/../b is b, the root's own entry left out", async () => {
  const tar = await handTar([
    { header: { name: "./", size: 0, type: "directory" } },
    { header: { name: "/abs/file", size: 0, type: "file" }, data: "1" },
    { header: { name: "./dot/file", size: 0, type: "file" }, data: "2" },
    { header: { name: "x/../y", size: 0, type: "file" }, data: "3" },
    { header: { name: "z//w/", size: 0, type: "directory" } },
  ]);
  const out = new Uint8Array(await new Response(extractImage(imageOf([tar]))).arrayBuffer());
  assert.deepEqual(await entryNames(out), ["abs/file", "dot/file", "y", "z/w/"]);
});

test("extractImage fails a tar cut short with InvalidTarError", async () => {
  const tar = await handTar([{ header: { name: "big", size: 0, type: "file" }, data: "x".repeat(5000) }]);
  const error = await new Response(extractImage(imageOf([tar.subarray(0, 2048)]))).arrayBuffer().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof InvalidTarError, String(error));
  assert.equal(error.code, "INVALID_TAR");
});

test("extractImage: an abort cancels the layer being read, and the stream errors with the reason", async () => {
  const controller = new AbortController();
  let cancelled: unknown;
  const big = await handTar([{ header: { name: "big", size: 0, type: "file" }, data: "y".repeat(4 * 1024 * 1024) }]);
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(big.subarray(0, 1024 * 1024));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  // An uncompressed tar layer, read as it is: its bytes reach the tar reader as they come.
  const layer: Layer = {
    mediaType: () => "application/vnd.oci.image.layer.v1.tar",
    compressed: () => source,
    digest: () => Promise.reject(new Error("not needed")),
    diffID: () => Promise.reject(new Error("not needed")),
    size: () => Promise.reject(new Error("not needed")),
  };
  const reader = extractImage(appendLayers(emptyImage(), layer), { signal: controller.signal }).getReader();
  await reader.read(); // the first bytes of the big file: the layer is being read
  const reason = new Error("stop");
  controller.abort(reason);
  await assert.rejects(async () => {
    for (;;) if ((await reader.read()).done) break;
  }, (error) => error === reason);
  assert.equal(cancelled, reason);
});

test("extractImage writes what USTAR cannot hold as PAX records GNU tar reads: a long name, a long link target, a large uid, extended attributes", async () => {
  const longName = `dir/${"n".repeat(150)}`;
  const longTarget = `/${"t".repeat(150)}`;
  const tar = await handTar([
    { header: { name: longName, size: 0, type: "file", uid: 3_000_000, pax: { "SCHILY.xattr.user.note": "kept" } }, data: "long" },
    { header: { name: "link", size: 0, type: "symlink", linkname: longTarget } },
  ]);
  const out = new Uint8Array(await new Response(extractImage(imageOf([tar]))).arrayBuffer());
  const listing = await new Promise<string>((resolve, reject) => {
    const child = execFile("tar", ["--numeric-owner", "-tvf", "-"], (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin?.end(out);
  });
  const [file, link] = listing.trim().split("\n");
  assert.match(file!, new RegExp(`^-rw-r--r-- 3000000/0 +4 .* ${longName}$`));
  assert.match(link!, new RegExp(`^l[rwx-]{9} 0/0 +0 .* link -> ${longTarget}$`));
  const [entry] = await unpackTar(out);
  assert.equal(entry?.header.pax?.["SCHILY.xattr.user.note"], "kept");
});

test("extractImage takes an empty layer (no bytes at all, as Go's archive/tar does) and one of two zero blocks", async () => {
  const file = await handTar([{ header: { name: "kept", size: 0, type: "file" }, data: "k" }]);
  const out = new Uint8Array(await new Response(extractImage(imageOf([file, new Uint8Array(0), new Uint8Array(1024)]))).arrayBuffer());
  assert.deepEqual(await entryNames(out), ["kept"]);
});
