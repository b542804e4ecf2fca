import type { LayerSourceProblem } from "./errors.ts";

/** What the first bytes of a would-be layer are. */
export type LayerSourceKind = "tar" | "empty" | LayerSourceProblem;

/** The size of a tar block: the header of the first entry fills the first one. */
export const TAR_BLOCK = 512;

/**
 * The most bytes the check looks at: enough to step over the small entries
 * an image tarball may start with (`./`, `index.json`, `manifest.json`) to the
 * entry that tells. A tar is told from its first entry as a rule: from its
 * first block when that entry is not the archive's root folder (`./`).
 */
export const SNIFF_WINDOW = 64 * 1024;

/** `head` with the start of `bytes` added, up to {@link SNIFF_WINDOW} bytes: what the check is given as chunks arrive. */
export function appendUpToWindow(head: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (head.length >= SNIFF_WINDOW) return head;
  const taken = bytes.subarray(0, SNIFF_WINDOW - head.length);
  const joined = new Uint8Array(head.length + taken.length);
  joined.set(head);
  joined.set(taken, head.length);
  return joined;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * Tells from the first bytes of a stream whether it is a tar, a compressed
 * file, an image tarball (an OCI layout, or what `docker save` writes, in any
 * entry order, with or without `./`) or something else. A tar is told from
 * its first entry: its first 512-byte block, or more when that entry is the
 * root folder `./` or a file an image tarball also has (`index.json`,
 * `manifest.json`, judged by what it holds); never more than the first
 * 64 KiB. A first block of zeros is an empty tar only when nothing but zeros
 * follows.
 *
 * @param head The first bytes, up to 64 KiB (more are ignored).
 * @param ended Whether the stream ended after `head`.
 * @returns The kind, or `undefined` when more bytes are needed to tell.
 *
 * @example Telling a .tar.gz from a tar
 * ```ts
 * import assert from "node:assert/strict";
 * import { sniffLayerSource } from "streamlayer";
 *
 * assert.equal(sniffLayerSource(new Uint8Array([0x1f, 0x8b, 8, 0]), false), "gzip");
 * assert.equal(sniffLayerSource(new Uint8Array(0), true), "empty");
 * ```
 */
export function sniffLayerSource(head: Uint8Array, ended: boolean): LayerSourceKind | undefined {
  if (startsWith(head, GZIP_MAGIC)) return "gzip";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  if (head.length === 0) return ended ? "empty" : undefined;
  const window = head.subarray(0, SNIFF_WINDOW);
  const complete = ended || head.length >= SNIFF_WINDOW;
  if (window.length < TAR_BLOCK) {
    if (!complete) return undefined;
    // Shorter than a block: no header fits, but zeros are the start of a tar's end marker.
    return isZeros(window) ? "tar" : "not-tar";
  }
  if (isZeros(window.subarray(0, TAR_BLOCK))) return afterZeros(window, complete);
  if (!hasValidChecksum(window.subarray(0, TAR_BLOCK))) return "not-tar";
  return judgeEntries(window, complete);
}

/**
 * Which image tarball `head` holds, for messages: `"docker-archive"` when it
 * has only what `docker save` before Docker 25 writes (`manifest.json`,
 * `repositories`, a folder or file named by a 64-digit hex ID),
 * `"docker-oci-layout"` when it has that and an OCI layout's `oci-layout`,
 * `index.json` or `blobs/` (Docker 25+), else `"oci-layout"`. Judged from the
 * names within the first 64 KiB.
 */
export function imageTarballFormat(head: Uint8Array): "docker-archive" | "docker-oci-layout" | "oci-layout" {
  const names: string[] = [];
  forEachEntry(head.subarray(0, SNIFF_WINDOW), (name) => {
    names.push(name);
    return undefined;
  });
  const docker = names.some((name) => DOCKER_SAVE_NAME.test(name) || name === "manifest.json" || name === "repositories");
  const layout = names.some((name) => IMAGE_NAME.test(name) || name === "index.json");
  return docker ? (layout ? "docker-oci-layout" : "docker-archive") : "oci-layout";
}

// The end of an empty tar is zeros to the end; zeros and then data are no tar
// (Go's archive/tar, and so containerd, fail on them with "invalid header").
function afterZeros(window: Uint8Array, complete: boolean): LayerSourceKind | undefined {
  if (!isZeros(window)) return "not-tar";
  return complete ? "tar" : undefined;
}

// What an image tarball's top-level names are. `docker save` before Docker 25
// writes `<id>/layer.tar`, `<id>/json`, `<id>.json`; skopeo's docker-archive
// `<digest>.tar`; crane's `sha256:<digest>` and `<digest>.tar.gz`; an OCI
// layout `oci-layout` and `blobs/`. Files a web app may have at its root too
// (`index.json`, `manifest.json`) tell by what they hold.
const IMAGE_NAME = /^(?:oci-layout|blobs(?:\/.*)?)$/;
const DOCKER_SAVE_NAME = /^(?:sha256:)?[0-9a-f]{64}(?:\.json|\.tar|\.tar\.gz|\/.*)?$/;
const IMAGE_FILES: Record<string, (text: string) => boolean> = {
  "index.json": (text) => /"schemaVersion"\s*:\s*2\b/.test(text) && /"manifests"\s*:/.test(text),
  "manifest.json": (text) => /^\s*\[/.test(text) && /"Config"\s*:/.test(text) && /"Layers"\s*:/.test(text),
  repositories: (text) => /^\s*\{/.test(text) && /"[0-9a-f]{64}"/.test(text),
};

/** What one entry says: settled, or more bytes wanted to read what it holds. */
type EntryVerdict = "image-tarball" | "tar" | "more" | undefined;

// Steps from header to header: an image tarball's name (or its index.json,
// manifest.json or repositories, by what they hold) settles it, any other
// name makes it a tar, the root folder and pax or GNU long-name records are
// stepped over.
function judgeEntries(window: Uint8Array, complete: boolean): LayerSourceKind | undefined {
  const verdict = forEachEntry(window, (name, type, content) => {
    if (name === "" || META_TYPES.has(type)) return undefined;
    if (IMAGE_NAME.test(name) || DOCKER_SAVE_NAME.test(name)) return "image-tarball";
    const holdsImage = Object.hasOwn(IMAGE_FILES, name) ? IMAGE_FILES[name] : undefined;
    if (holdsImage === undefined) return "tar";
    if (content === "beyond") return "tar";
    if (content === "partial") return "more";
    return holdsImage(new TextDecoder().decode(content)) ? "image-tarball" : "tar";
  });
  if (verdict !== "more") return verdict;
  return complete ? "tar" : undefined;
}

// pax extended headers (x, g) and GNU long names (L, K): records about the next entry.
const META_TYPES = new Set([0x78, 0x67, 0x4c, 0x4b]);

/**
 * Calls `visit` with each entry's name (no `./`), type flag and content
 * (`"partial"` when the window ends inside it, `"beyond"` when it ends past
 * the most the check looks at) until it answers; "tar" when the archive ends
 * or a header is past the window's reach, "more" when the window ends inside
 * a header.
 */
function forEachEntry(window: Uint8Array, visit: (name: string, type: number, content: Uint8Array | "partial" | "beyond") => EntryVerdict): "image-tarball" | "tar" | "more" {
  for (let offset = 0; ; ) {
    if (offset >= SNIFF_WINDOW) return "tar";
    if (offset + TAR_BLOCK > window.length) return "more";
    const block = window.subarray(offset, offset + TAR_BLOCK);
    if (isZeros(block) || !hasValidChecksum(block)) return "tar";
    const size = parseOctal(block.subarray(124, 136));
    if (size === undefined) return "tar";
    const start = offset + TAR_BLOCK;
    const content = start + size > SNIFF_WINDOW ? "beyond" : start + size > window.length ? "partial" : window.subarray(start, start + size);
    const verdict = visit(topLevelPath(entryName(block)), block[156]!, content);
    if (verdict !== undefined) return verdict;
    offset = start + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
}

// `./etc/`, `/etc`, `etc/` are all `etc`; the root folder (`./`, `.`) is "".
function topLevelPath(name: string): string {
  const path = name.replace(/^(?:\.?\/)+/, "").replace(/\/+$/, "");
  return path === "." ? "" : path;
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function isZeros(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

// The checksum field (offset 148, 8 bytes) holds, in octal, the sum of the
// header's bytes with the field itself counted as spaces. Old tars summed
// signed bytes, so either sum is taken.
function hasValidChecksum(block: Uint8Array): boolean {
  const recorded = parseOctal(block.subarray(148, 156));
  if (recorded === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return recorded === unsigned || recorded === signed;
}

function parseOctal(field: Uint8Array): number | undefined {
  let i = 0;
  while (i < field.length && (field[i] === 0x20 || field[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < field.length && field[i]! >= 0x30 && field[i]! <= 0x37; i++, digits++) value = value * 8 + field[i]! - 0x30;
  if (digits === 0) return undefined;
  for (; i < field.length; i++) if (field[i] !== 0x20 && field[i] !== 0) return undefined;
  return value;
}

function entryName(block: Uint8Array): string {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, nulAt(bytes)));
  const name = text(block.subarray(0, 100));
  const ustar = text(block.subarray(257, 262)) === "ustar";
  const prefix = ustar ? text(block.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function nulAt(bytes: Uint8Array): number {
  const index = bytes.indexOf(0);
  return index === -1 ? bytes.length : index;
}
