// A tarball of real files from this machine's /usr, exactly the size asked
// for: text, binaries and images in the mix a user's layer has, so gzip and
// the push work as hard as they do for real (not all zeros). Made once per
// machine with the library's own createTarStream, and checked by tar(1).
import { execFileSync } from "node:child_process";
import { createWriteStream, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createTarStream, type TarEntryInput } from "../../../src/index.ts";

const BLOCK = 512;
const SOURCES = ["/usr/share", "/usr/lib"];
const FILLER = "usr/share/streamlayer-rest.bin";

/** The path of a valid tar of real files, `bytes` long (a multiple of 512), made on first use. */
export async function realTarball(bytes: number): Promise<string> {
  const path = join(tmpdir(), `streamlayer-real-${bytes}.tar`);
  if (statSync(path, { throwIfNoEntry: false })?.size === bytes) return path;
  const entries: TarEntryInput[] = [];
  // Two zero blocks end a tar; keep room for the filler's header and a block of its data.
  let size = 2 * BLOCK;
  for (const file of filesUnder(SOURCES)) {
    const taken = BLOCK + padded(lstatSync(file).size);
    if (size + taken > bytes - 2 * BLOCK) break;
    let data: Uint8Array;
    try {
      data = readFileSync(file);
    } catch {
      continue; // unreadable by this user
    }
    entries.push({ path: file.slice(1), data, mode: 0o644 });
    size += taken;
  }
  // The last file fills the tar to the byte: the first bytes of the files above, again.
  const rest = bytes - size - BLOCK;
  entries.push({ path: FILLER, data: fill(entries, rest) });
  await createTarStream(entries, { sort: false }).pipeTo(Writable.toWeb(createWriteStream(path)));
  const made = statSync(path).size;
  if (made !== bytes) throw new Error(`realTarball: made ${made} bytes, not ${bytes}`);
  const listed = execFileSync("tar", ["-tf", path], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).trim().split("\n");
  if (listed.length !== entries.length) throw new Error(`realTarball: tar(1) lists ${listed.length} entries, not ${entries.length}`);
  return path;
}

// Regular files only, in a stable order, with short ASCII paths (one header block each).
function* filesUnder(roots: readonly string[]): Generator<string> {
  for (const root of roots) {
    const names = readdirSync(root, { recursive: true, encoding: "utf8" }).sort();
    for (const name of names) {
      const file = join(root, name);
      if (file.length > 99 || !/^[\x21-\x7e]+$/.test(file)) continue;
      const stat = lstatSync(file, { throwIfNoEntry: false });
      if (stat?.isFile() && stat.size <= 4 * 1024 * 1024) yield file;
    }
  }
}

function fill(entries: readonly TarEntryInput[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const { data } of entries) {
    if (at >= length || !(data instanceof Uint8Array)) continue;
    const piece = data.subarray(0, length - at);
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function padded(length: number): number {
  return Math.ceil(length / BLOCK) * BLOCK;
}
