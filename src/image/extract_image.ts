import type { TarHeader } from "modern-tar";
import type { Layer } from "../layer/layer.ts";
import { forEachTarEntry } from "../tar/_tar_entries.ts";
import { TarWriter } from "../tar/_tar_writer.ts";
import { joinTarPath, normalizeTarPath, splitTarPath } from "../tar/_tar_path.ts";
import { UnsafeTarPathError } from "../tar/errors.ts";
import type { Image } from "./image.ts";
import { layerTar } from "./_layer_tar.ts";
import { Overlay } from "./_overlay.ts";

/** Options of {@link extractImage}. */
export interface ExtractImageOptions {
  /**
   * Stops the extraction: the layer being read is cancelled (and so its
   * download), and the stream errors with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal;
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

/** Hard links whose target an upper layer replaced or removed, by layer, then by target. */
type DeferredLinks = Map<number, Map<string, TarHeader[]>>;

/**
 * An image's file system as one tar stream, as `crane export` and
 * go-containerregistry's `mutate.Extract` make it: the layers applied bottom
 * to top, each path written once with its last version, OCI whiteouts
 * applied (`.wh.<name>` removes a path and what is under it, `.wh..wh..opq`
 * hides what lower layers had in its directory) and never written.
 *
 * The layers are read from the top one down, each once and in turn, keeping
 * only the set of paths already settled, never their contents: memory stays
 * flat whatever the image's size, and the registry is read only as fast as
 * the returned stream is. Nothing is fetched before the first read.
 *
 * Names are normalized as the tools do (`./`, a leading `/`, empty and `.`
 * parts dropped), directories end with `/`, and PAX records other than the
 * name, link and size (extended attributes, times) are kept. A hard link
 * whose target an upper layer replaced or removed is written as a copy of the
 * target as its layer had it: that layer is read a second time, which a
 * pulled or layout layer allows and a `StreamLayer` does not (`ConsumedError`). Where one
 * layer holds the same path twice, the first is kept, as `mutate.Extract`
 * does. Device numbers are not kept (modern-tar's headers have none).
 *
 * Each layer is read through its `uncompressed()` (a pulled or layout
 * layer's checks the digest and the DiffID as it streams), or else its
 * `compressed()` bytes are decompressed here by media type: a `StreamLayer`
 * is read (so consumed) this way.
 *
 * @param image The image, such as `await pullImage(reference)`.
 * @param options An abort signal.
 * @returns The tar, read once.
 * @throws (through the stream) {UnsafeTarPathError} when a name climbs out of
 * the root with `..`; nothing is written for it, and the stream ends there.
 * @throws (through the stream) {InvalidTarError} when a layer is not a well-formed tar.
 * @throws (through the stream) {UncompressedUnavailableError} for a layer media type with no decompressor here.
 * @throws (through the stream) {DigestMismatchError} when a layer's bytes do not match
 * its digest or DiffID; {@link RegistryError} when the registry fails; the signal's reason.
 *
 * @example Listing the files of an image, as `crane export` would
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendLayers, createTarStream, emptyImage, extractImage, StreamLayer } from "streamlayer";
 *
 * const lower = new StreamLayer(createTarStream([{ path: "etc/motd", data: "old\n" }, { path: "tmp/x", data: "x" }]));
 * const upper = new StreamLayer(createTarStream([{ path: "etc/motd", data: "new\n" }, { path: "tmp/.wh.x" }]));
 * const tar = new Uint8Array(await new Response(extractImage(appendLayers(emptyImage(), lower, upper))).arrayBuffer());
 * const names: string[] = [];
 * for (let offset = 0; tar[offset] !== 0; ) {
 *   const header = tar.subarray(offset, offset + 512);
 *   names.push(new TextDecoder().decode(header.subarray(0, 100)).replace(/\0.*$/s, ""));
 *   const size = parseInt(new TextDecoder().decode(header.subarray(124, 136)), 8) || 0;
 *   offset += 512 + Math.ceil(size / 512) * 512;
 * }
 * assert.deepEqual(names, ["etc/motd"]); // the upper one; tmp/x is whited out
 * ```
 */
export function extractImage(image: Image, options: ExtractImageOptions = {}): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let output: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (output === undefined) {
          signal.throwIfAborted();
          const writer = new TarWriter();
          output = writer.readable.getReader();
          // An abort ends the stream at once, whatever the layer's teardown takes.
          const onAbort = (): void => writer.fail(signal.reason);
          signal.addEventListener("abort", onAbort, { once: true });
          writeFileSystem(image.layers(), writer, signal)
            .then(
              () => writer.finish(),
              (error: unknown) => writer.fail(error),
            )
            .catch((error: unknown) => writer.fail(error))
            .finally(() => signal.removeEventListener("abort", onAbort));
        }
        const { done, value } = await output.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        stop.abort(reason);
        await output?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

async function writeFileSystem(layers: readonly Layer[], writer: TarWriter, signal: AbortSignal): Promise<void> {
  const overlay = new Overlay();
  const deferred: DeferredLinks = new Map();
  for (let position = layers.length - 1; position >= 0; position--) {
    const whiteouts: string[] = [];
    const opaque: string[] = [];
    const layer = layers[position] as Layer;
    await forEachTarEntry(
      await layerTar(layer),
      async ({ header, body }) => {
        const path = normalizeTarPath(header.name, position);
        const { directory, base } = splitTarPath(path);
        if (base.startsWith(WHITEOUT)) {
          if (base === OPAQUE) opaque.push(directory);
          else if (!base.startsWith(WHITEOUT + WHITEOUT)) pushWhiteout(whiteouts, header.name, directory, base, position);
          return body.cancel();
        }
        // The root's own entry, and whatever an upper layer settled, are not written.
        if (path === "" || overlay.hidden(path)) return body.cancel();
        const isDirectory = header.type === "directory";
        overlay.claim(path, position, isDirectory);
        if (header.type === "link") {
          await body.cancel();
          const target = normalizeTarPath(header.linkname ?? "", position);
          if (overlay.fileLayer(target) === position) return writer.add(outputHeader(header, path, target));
          return defer(deferred, position, target, outputHeader(header, path, target));
        }
        await writer.add(outputHeader(header, path), body);
      },
      { layer: position, signal },
    );
    overlay.endLayer(position, whiteouts, opaque);
  }
  await writeDeferredLinks(layers, deferred, overlay, writer, signal);
}

// `.wh.` and `.wh..` name nothing to remove; `.wh...` would remove the parent.
function pushWhiteout(whiteouts: string[], name: string, directory: string, base: string, position: number): void {
  const removed = base.slice(WHITEOUT.length);
  if (removed === "..") throw new UnsafeTarPathError(name, position);
  if (removed !== "" && removed !== ".") whiteouts.push(joinTarPath(directory, removed));
}

function defer(deferred: DeferredLinks, position: number, target: string, header: TarHeader): void {
  let byTarget = deferred.get(position);
  if (byTarget === undefined) deferred.set(position, (byTarget = new Map()));
  const links = byTarget.get(target);
  if (links === undefined) byTarget.set(target, [header]);
  else links.push(header);
}

/**
 * Hard links whose target was not written from their own layer. When the
 * target was written from that layer or a lower one (it comes later in the
 * tar), the link is written now, after it. When an upper layer replaced or
 * removed it, the layer is read again for the target's bytes: the first
 * link becomes a copy of them and the others link to it, as unpacking the
 * layers one by one would leave them.
 */
async function writeDeferredLinks(layers: readonly Layer[], deferred: DeferredLinks, overlay: Overlay, writer: TarWriter, signal: AbortSignal): Promise<void> {
  for (const [position, byTarget] of deferred) {
    const lost = new Map<string, TarHeader[]>();
    for (const [target, links] of byTarget) {
      const writtenFrom = overlay.fileLayer(target);
      if (writtenFrom !== undefined && writtenFrom <= position) for (const link of links) await writer.add(link);
      else lost.set(target, links);
    }
    if (lost.size === 0) continue;
    await forEachTarEntry(
      await layerTar(layers[position] as Layer),
      async ({ header, body }) => {
        const path = normalizeTarPath(header.name, position);
        const links = lost.get(path);
        if (links === undefined || header.type !== "file") return body.cancel();
        lost.delete(path);
        const [first, ...others] = links as [TarHeader, ...TarHeader[]];
        await writer.add({ ...outputHeader(header, first.name), type: "file" }, body);
        for (const other of others) await writer.add({ ...other, linkname: first.name });
      },
      { layer: position, signal },
    );
    // A target its layer does not hold: written as the tar had it, as mutate.Extract does.
    for (const links of lost.values()) for (const link of links) await writer.add(link);
  }
}

// The name, link target and size are the header's own now; every other PAX
// record (extended attributes, sub-second times) is kept as it was.
const REWRITTEN_PAX = new Set(["path", "linkpath", "size"]);

function outputHeader(header: TarHeader, path: string, hardLinkTarget?: string): TarHeader {
  const pax = header.pax && Object.fromEntries(Object.entries(header.pax).filter(([key]) => !REWRITTEN_PAX.has(key)));
  const written: TarHeader = {
    name: header.type === "directory" ? `${path}/` : path,
    size: header.size,
    mode: header.mode,
    type: header.type,
    uid: header.uid,
    gid: header.gid,
    uname: header.uname,
    gname: header.gname,
    mtime: header.mtime,
  };
  if (hardLinkTarget !== undefined) written.linkname = hardLinkTarget;
  else if (header.type === "symlink") written.linkname = header.linkname;
  if (pax && Object.keys(pax).length > 0) written.pax = pax;
  return written;
}
