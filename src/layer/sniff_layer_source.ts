import type { LayerSourceProblem } from "./errors.ts";

/** What the first bytes of a would-be layer are. */
export type LayerSourceKind = "tar" | "empty" | LayerSourceProblem;

/** The size of a tar block: the header of the first entry fills the first one. */
export const TAR_BLOCK = 512;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * Tells from the first bytes of a stream whether it is a tar, a compressed
 * file, an image tarball or something else, looking at no more than the
 * first 512-byte block.
 *
 * @param head The first bytes, up to 512 (more are ignored).
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
  if (head.length < TAR_BLOCK) {
    if (!ended) return undefined;
    // Shorter than a block: no header fits, but zeros are the start of a tar's end marker.
    return head.every((byte) => byte === 0) ? "tar" : "not-tar";
  }
  const block = head.subarray(0, TAR_BLOCK);
  if (block.every((byte) => byte === 0)) return "tar";
  if (!hasValidChecksum(block)) return "not-tar";
  return isImageTarballEntry(entryName(block)) ? "image-tarball" : "tar";
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
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

// An OCI layout (oci-archive, `docker save` since Docker 25) written by the
// usual tools starts with its `oci-layout` marker or its `blobs/` folder.
// Judged from the first entry only: a layout tarred as `./` first is not caught.
function isImageTarballEntry(name: string): boolean {
  const path = name.replace(/^(\.\/)+/, "");
  return path === "oci-layout" || path === "blobs" || path.startsWith("blobs/");
}
