import { createTarPacker, type TarHeader } from "modern-tar";

/** One entry of a tarball, for {@link createTarStream}. */
export interface TarEntryInput {
  /** Path inside the archive, `/`-separated; a leading `/` or `./` is dropped. */
  path: string;
  /**
   * The content of a file. A `ReadableStream` needs `size`.
   * @default empty
   */
  data?: string | Uint8Array | Blob | ReadableStream<Uint8Array>;
  /**
   * Byte length of `data`, required only when it is a `ReadableStream`.
   * @default the length of `data`
   */
  size?: number;
  /**
   * The kind of entry.
   * @default "file"
   */
  type?: "file" | "directory" | "symlink";
  /**
   * Target of a symlink.
   * @default undefined
   */
  linkname?: string;
  /**
   * Permission bits.
   * @default 0o644 for files, 0o755 for directories, 0o777 for symlinks
   */
  mode?: number;
  /**
   * Modification time.
   * @default the writer's `mtime`
   */
  mtime?: Date;
}

/** Options of {@link createTarStream}. */
export interface TarStreamOptions {
  /**
   * Modification time of every entry that gives none (and of every `File`,
   * unless `preserveFileTimes`).
   * @default new Date(0), the Unix epoch
   */
  mtime?: Date;
  /**
   * Take a `File`'s `lastModified` instead of `mtime`.
   * @default false
   */
  preserveFileTimes?: boolean;
  /**
   * Owner of every entry.
   * @default { uid: 0, gid: 0, uname: "", gname: "" }
   */
  owner?: { uid?: number; gid?: number; uname?: string; gname?: string };
  /**
   * Sort entries by path, so that the same files in any order give the same bytes.
   * @default true
   */
  sort?: boolean;
}

interface Prepared {
  readonly header: TarHeader;
  readonly data: string | Uint8Array | Blob | ReadableStream<Uint8Array> | undefined;
}

/**
 * A reproducible, streaming tarball of `File`s or `{ path, data }` entries,
 * written by modern-tar: sorted by path, with a fixed mtime and owner unless
 * given, so the same files give the same DiffID. The result can feed
 * `new StreamLayer(...)` directly; file contents are read as the tarball is.
 *
 * @param entries The files, directories and symlinks to archive.
 * @param options Times, owner and ordering.
 * @returns The uncompressed tar stream.
 * @throws {TypeError} for an empty or `..` path, a duplicate path, or a stream without `size`.
 *
 * @example A layer from files picked in a browser
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTarStream, StreamLayer } from "streamlayer";
 *
 * const files = [new File(["hello\n"], "hello.txt")];
 * const layer = new StreamLayer(createTarStream(files));
 * const gzip = await new Response(layer.compressed()).arrayBuffer(); // or writeLayer(…)
 * assert.equal(await layer.size(), gzip.byteLength);
 * ```
 */
export function createTarStream(entries: Iterable<File | TarEntryInput>, options: TarStreamOptions = {}): ReadableStream<Uint8Array> {
  const prepared = [...entries].map((entry) => prepare(entry, options));
  if (options.sort ?? true) prepared.sort((a, b) => (a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0));
  const seen = new Set<string>();
  for (const { header } of prepared) {
    if (seen.has(header.name)) throw new TypeError(`createTarStream: duplicate path: ${header.name}`);
    seen.add(header.name);
  }
  const { readable, controller } = createTarPacker();
  void pack(prepared, controller);
  return readable;
}

async function pack(entries: readonly Prepared[], controller: ReturnType<typeof createTarPacker>["controller"]): Promise<void> {
  try {
    for (const { header, data } of entries) {
      const body = controller.add(header);
      if (data instanceof ReadableStream) await data.pipeTo(body);
      else if (data instanceof Blob) await data.stream().pipeTo(body);
      else {
        const writer = body.getWriter();
        if (data !== undefined && header.size > 0) await writer.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
        await writer.close();
      }
    }
    controller.finalize();
  } catch (error) {
    // The reader cancelled or an entry's source failed: end the tarball with that error.
    try {
      controller.error(error);
    } catch {
      // already stopped
    }
  }
}

function prepare(entry: File | TarEntryInput, options: TarStreamOptions): Prepared {
  const owner = { uid: 0, gid: 0, uname: "", gname: "", ...options.owner };
  const mtime = options.mtime ?? new Date(0);
  if (typeof File !== "undefined" && entry instanceof File) {
    const path = (entry as File & { webkitRelativePath?: string }).webkitRelativePath || entry.name;
    const time = options.preserveFileTimes ? new Date(entry.lastModified) : mtime;
    return { header: { name: normalize(path, "file"), size: entry.size, mode: 0o644, mtime: time, type: "file", ...owner }, data: entry };
  }
  const input = entry as TarEntryInput;
  const type = input.type ?? "file";
  const name = normalize(input.path, type);
  const header: TarHeader = { name, size: 0, type, mtime: input.mtime ?? mtime, ...owner };
  header.mode = input.mode ?? (type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644);
  if (type === "symlink") header.linkname = input.linkname ?? "";
  if (type === "file") header.size = sizeOf(input);
  return { header, data: type === "file" ? input.data : undefined };
}

function sizeOf(input: TarEntryInput): number {
  const { data } = input;
  if (data === undefined) return 0;
  if (typeof data === "string") return new TextEncoder().encode(data).length;
  if (data instanceof Uint8Array) return data.length;
  if (data instanceof Blob) return data.size;
  if (input.size === undefined || !Number.isSafeInteger(input.size) || input.size < 0) {
    throw new TypeError(`createTarStream: a stream entry needs its size: ${input.path}`);
  }
  return input.size;
}

function normalize(path: string, type: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.length === 0) throw new TypeError(`createTarStream: empty path: ${JSON.stringify(path)}`);
  if (parts.includes("..")) throw new TypeError(`createTarStream: path leaves the archive: ${path}`);
  const name = parts.join("/");
  return type === "directory" ? `${name}/` : name;
}
