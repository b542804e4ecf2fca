import { openAsBlob } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { TarEntryInput } from "../tar/create_tar_stream.ts";

/**
 * The files, directories and symlinks under `root` as tar entries, for
 * {@link createTarStream}. File contents are opened lazily as `Blob`s, so
 * nothing is read until the tarball is. Modes are reduced to 0755 or 0644 (as
 * git keeps them), so that a checkout with any umask gives the same layer.
 *
 * @param root The folder whose contents become the root of the layer.
 * @returns The entries, in no particular order (createTarStream sorts them).
 */
export async function readFolder(root: string): Promise<TarEntryInput[]> {
  const entries: TarEntryInput[] = [];
  for (const name of await readdir(root, { recursive: true })) {
    const full = join(root, name);
    const path = relative(root, full).split(sep).join("/");
    const stats = await lstat(full);
    if (stats.isDirectory()) entries.push({ path, type: "directory" });
    else if (stats.isSymbolicLink()) entries.push({ path, type: "symlink", linkname: await readlink(full) });
    else if (stats.isFile()) {
      const mode = stats.mode & 0o111 ? 0o755 : 0o644;
      entries.push({ path, data: await openAsBlob(full), mode });
    }
  }
  return entries;
}
