// What the user chose to push: one tarball as it is, or files and folders
// that the page packs into a tar (createTarStream) as the push reads them.
import { createTarStream, sniffLayerSource, type TarEntryInput } from "streamlayer";
import { formatSize } from "./format.ts";

/** A source ready to push. */
export interface PickedSource {
  /** One line for the page: what was chosen and what will happen to it. */
  readonly description: string;
  /** The bytes of the tar or .tar.gz; a packed tar is made anew on each call. */
  open(): File | ReadableStream<Uint8Array>;
  /** The size of what `open` gives: exact for a file, estimated for a packed tar. */
  readonly size: number;
  readonly estimated: boolean;
  /** Whether the bytes are gzip already (a .tar.gz). */
  readonly gzip: boolean;
  /** The one folder chosen, when the files all sit in one: its contents may go at the root. */
  readonly folder?: string;
}

/** A file and where it goes in the tar, relative to what was chosen. */
interface PickedFile {
  readonly path: string;
  readonly file: File;
}

const TARBALL_NAME = /\.(tar|tar\.gz|tgz)$/i;

/** From an `<input type=file>`, multiple or `webkitdirectory`. */
export async function fromFileList(files: readonly File[], rootContents: boolean): Promise<PickedSource | undefined> {
  if (files.length === 0) return undefined;
  const fromFolder = files.some((file) => file.webkitRelativePath !== "");
  if (files.length === 1 && !fromFolder) return fromOneFile(files[0]!);
  return packed(files.map((file) => ({ path: file.webkitRelativePath || file.name, file })), [], rootContents);
}

/**
 * From a drop. The entries must be taken during the drop event itself: the
 * DataTransfer is emptied when the event handler returns. Folders are walked
 * with the File and Directory Entries API (webkitGetAsEntry), paths kept
 * relative to what was dropped.
 */
export function takeDrop(transfer: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry()).filter((entry): entry is FileSystemEntry => entry !== null);
  return { entries, files: [...transfer.files] };
}

/** From what {@link takeDrop} took; plain files where the browser gives no entries. */
export async function fromDrop(dropped: { entries: readonly FileSystemEntry[]; files: readonly File[] }, rootContents: boolean): Promise<PickedSource | undefined> {
  const { entries } = dropped;
  if (entries.length === 0) return fromFileList(dropped.files, rootContents);
  if (entries.length === 1 && entries[0]!.isFile) return fromOneFile(await fileOf(entries[0] as FileSystemFileEntry));
  const files: PickedFile[] = [];
  const folders: string[] = [];
  for (const entry of entries) await walk(entry, entry.name, files, folders);
  return packed(files, folders, rootContents);
}

/** A lone file: a tarball goes as it is; anything else is packed into a tar of its own. */
async function fromOneFile(file: File): Promise<PickedSource> {
  const head = new Uint8Array(await file.slice(0, 512).arrayBuffer());
  const kind = sniffLayerSource(head, file.size <= 512);
  // A file named .tar that is no tar goes as it is too: the push then says what it is.
  if (kind === "tar" || kind === "gzip" || TARBALL_NAME.test(file.name)) {
    const gzip = kind === "gzip";
    return {
      description: `${file.name}: ${gzip ? "a .tar.gz, pushed as it is" : "a tar, gzipped on the way"}`,
      open: () => file,
      size: file.size,
      estimated: false,
      gzip,
    };
  }
  return packed([{ path: file.name, file }], [], false);
}

async function walk(entry: FileSystemEntry, path: string, files: PickedFile[], folders: string[]): Promise<void> {
  if (entry.isFile) {
    files.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  folders.push(path);
  for (const child of await childrenOf(entry as FileSystemDirectoryEntry)) await walk(child, `${path}/${child.name}`, files, folders);
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

// readEntries gives a folder's entries in batches (100 in Chromium) until an empty one.
async function childrenOf(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  const children: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return children;
    children.push(...batch);
  }
}

/**
 * Files and folders as one tar, made by createTarStream when the push reads
 * it. With `rootContents`, a single chosen folder's own name is dropped, so
 * that `rootfs/bin/sh` lands at `/bin/sh` as with `tar -C rootfs .`.
 */
function packed(files: readonly PickedFile[], folders: readonly string[], rootContents: boolean): PickedSource {
  const tops = new Set([...files.map((f) => f.path), ...folders].map((path) => path.split("/")[0]));
  const single = tops.size === 1 && files.some((f) => f.path.includes("/")) ? [...tops][0]! : undefined;
  const strip = (path: string) => (rootContents && single !== undefined ? path.slice(single.length + 1) : path);
  const entries: TarEntryInput[] = files.map(({ path, file }) => ({ path: strip(path), data: file }));
  // Every folder gets its own entry (mode 0755), also those a file input only implies.
  const dirs = new Set(folders.map(strip));
  for (const { path } of files) for (let at = path.indexOf("/"); at !== -1; at = path.indexOf("/", at + 1)) dirs.add(strip(path.slice(0, at)));
  dirs.delete("");
  for (const dir of dirs) entries.push({ path: dir, type: "directory" });

  const bytes = files.reduce((sum, { file }) => sum + file.size, 0);
  const where = single !== undefined && rootContents ? `, the contents of ${single}/ at the root` : single !== undefined ? ` under ${single}/` : "";
  return {
    description: `${count(files.length, "file")}, ${count(dirs.size, "folder")} (${formatSize(bytes)})${where}: packed into a tar here, gzipped on the way`,
    open: () => createTarStream(entries),
    size: tarSize(entries),
    estimated: true,
    gzip: false,
    folder: single,
  };
}

// A header block per entry, the data padded to 512 bytes, two zero blocks at
// the end; long paths add an extended header, so this is an estimate.
function tarSize(entries: readonly TarEntryInput[]): number {
  const blocks = (size: number) => Math.ceil(size / 512) * 512;
  return entries.reduce((sum, entry) => sum + 512 + (entry.data instanceof Blob ? blocks(entry.data.size) : 0), 1024);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
