// A directory's file tree as plain data, for comparing what two tools unpacked:
// each path's type, content (files), target (symlinks), permission bits, and
// which paths share an inode (hard links).
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export interface TreeEntry {
  type: "file" | "directory" | "symlink" | "other";
  mode: number;
  content?: string;
  target?: string;
}

export interface FileTree {
  entries: Record<string, TreeEntry>;
  /** Groups of paths that are one file (two or more names), sorted. */
  hardLinks: string[][];
}

export function fileTree(root: string): FileTree {
  const entries: Record<string, TreeEntry> = {};
  const inodes = new Map<number, string[]>();
  const walk = (directory: string, prefix: string): void => {
    for (const name of readdirSync(directory).sort()) {
      const path = join(directory, name);
      const relative = prefix === "" ? name : `${prefix}/${name}`;
      const stat = lstatSync(path);
      const mode = stat.mode & 0o7777;
      if (stat.isDirectory()) {
        entries[relative] = { type: "directory", mode };
        walk(path, relative);
      } else if (stat.isSymbolicLink()) {
        entries[relative] = { type: "symlink", mode: 0, target: readlinkSync(path) };
      } else if (stat.isFile()) {
        entries[relative] = { type: "file", mode, content: readFileSync(path, "utf8") };
        inodes.set(stat.ino, [...(inodes.get(stat.ino) ?? []), relative]);
      } else entries[relative] = { type: "other", mode };
    }
  };
  walk(root, "");
  const hardLinks = [...inodes.values()].filter((paths) => paths.length > 1).map((paths) => paths.sort()).sort();
  return { entries, hardLinks };
}
