import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createTarStream, type TarEntryInput } from "../../src/index.ts";

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function withTarFile<T>(bytes: Uint8Array, use: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "streamlayer-tar-"));
  try {
    const path = join(dir, "a.tar");
    writeFileSync(path, bytes);
    return use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const entries = (): TarEntryInput[] => [
  { path: "etc/motd", data: "hello\n" },
  { path: "bin/", type: "directory" },
  { path: "bin/run", data: new Uint8Array([35, 33, 10]), mode: 0o755 },
  { path: "./data/blob.bin", data: new Blob([new Uint8Array(3000).fill(7)]) },
  { path: "etc/link", type: "symlink", linkname: "motd" },
  { path: "data/streamed", data: new Blob(["streamed body"]).stream(), size: 13 },
];

test("GNU tar lists the entries sorted, with the epoch mtime and root owner", async () => {
  const bytes = await bytesOf(createTarStream(entries()));
  const listing = withTarFile(bytes, (path) =>
    execFileSync("tar", ["--numeric-owner", "--full-time", "-tvf", path], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }),
  );
  const lines = listing.trim().split("\n");
  assert.deepEqual(lines.map((line) => line.split(/\s+/)[5]), ["bin/", "bin/run", "data/blob.bin", "data/streamed", "etc/link", "etc/motd"]);
  for (const line of lines) {
    const [mode, owner, , date] = line.split(/\s+/);
    assert.equal(owner, "0/0");
    assert.equal(date, "1970-01-01");
    if (line.includes("bin/run")) assert.equal(mode, "-rwxr-xr-x");
    if (line.includes("etc/motd")) assert.equal(mode, "-rw-r--r--");
    if (line.includes(" bin/ ") || line.endsWith(" bin/")) assert.equal(mode, "drwxr-xr-x");
  }
  assert.match(listing, /etc\/link -> motd/);
  const motd = withTarFile(bytes, (path) => execFileSync("tar", ["-xOf", path, "etc/motd"], { encoding: "utf8" }));
  assert.equal(motd, "hello\n");
  const blob = withTarFile(bytes, (path) => execFileSync("tar", ["-xOf", path, "data/blob.bin"]));
  assert.deepEqual(new Uint8Array(blob), new Uint8Array(3000).fill(7));
  const streamed = withTarFile(bytes, (path) => execFileSync("tar", ["-xOf", path, "data/streamed"], { encoding: "utf8" }));
  assert.equal(streamed, "streamed body");
});

test("the same files in another order give the same bytes", async () => {
  const a = await bytesOf(createTarStream(entries()));
  const b = await bytesOf(createTarStream(entries().reverse()));
  assert.deepEqual(a, b);
});

test("File objects are archived under their names with the fixed mtime unless asked", async () => {
  const file = new File(["x".repeat(10)], "notes.txt", { lastModified: Date.UTC(2020, 0, 2) });
  const fixed = await bytesOf(createTarStream([file]));
  const kept = await bytesOf(createTarStream([file], { preserveFileTimes: true }));
  const list = (bytes: Uint8Array) =>
    withTarFile(bytes, (path) => execFileSync("tar", ["--full-time", "-tvf", path], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }));
  assert.match(list(fixed), /1970-01-01 00:00:00 notes\.txt/);
  assert.match(list(kept), /2020-01-02 00:00:00 notes\.txt/);
});

test("an owner and an mtime can be given", async () => {
  const bytes = await bytesOf(createTarStream([{ path: "a", data: "1" }], { owner: { uid: 1000, gid: 100 }, mtime: new Date(Date.UTC(2001, 1, 3)) }));
  const listing = withTarFile(bytes, (path) =>
    execFileSync("tar", ["--numeric-owner", "--full-time", "-tvf", path], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }),
  );
  assert.match(listing, /1000\/100 .* 2001-02-03 00:00:00 a/);
});

test("bad paths and a stream without size are refused", () => {
  assert.throws(() => createTarStream([{ path: "../x", data: "" }]), TypeError);
  assert.throws(() => createTarStream([{ path: "/", data: "" }]), TypeError);
  assert.throws(() => createTarStream([{ path: "a", data: "" }, { path: "./a", data: "" }]), /duplicate path: a/);
  assert.throws(() => createTarStream([{ path: "s", data: new Blob(["x"]).stream() }]), /needs its size/);
});

test("a failing entry source fails the tar stream", async () => {
  const failing = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error("disk gone")) });
  await assert.rejects(bytesOf(createTarStream([{ path: "f", data: failing, size: 5 }])), /disk gone/);
});
