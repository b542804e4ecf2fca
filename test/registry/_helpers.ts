// Shared by the registry tests: a source that records how it is read, and
// checks of a blob against the real registry with requests built here, not
// by the client under test.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import assert from "node:assert/strict";
import { fetchCheckedBlob } from "../support/blob_check.ts";
import { xorshift32 } from "../support/bytes.ts";
import type { RunningRegistry } from "../support/registry.ts";

export interface SourceStats {
  /** Bytes handed to the reader. */
  pulled: number;
  cancelled: boolean;
}

/** A read-once source over `data`, in pieces of `piece` bytes, counting what is read. */
export function recordingSource(data: Uint8Array, piece = 64 * 1024): { stream: ReadableStream<Uint8Array>; stats: SourceStats } {
  const stats: SourceStats = { pulled: 0, cancelled: false };
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) {
        controller.close();
        return;
      }
      const chunk = data.slice(offset, offset + piece);
      offset += chunk.byteLength;
      stats.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      stats.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, stats };
}

/** The Authorization header for reading `repository`, made without the client under test. */
export function authorization(registry: RunningRegistry, repository: string): Record<string, string> {
  if (registry.tokenServer) return { authorization: `Bearer ${registry.tokenServer.sign(repository, 300)}` };
  if (registry.credentials) {
    const { username, password } = registry.credentials;
    return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
  }
  return {};
}

/** Checks that the registry holds the blob: HEAD gives its size, GET gives bytes whose SHA-256 is the digest. Returns the bytes. */
export async function assertBlob(registry: RunningRegistry, repository: string, digest: string, size: number): Promise<Buffer> {
  const { bytes } = await fetchCheckedBlob(registry.url, repository, digest, size, authorization(registry, repository));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks a gzip blob against the input it was made from. */
export async function assertLayerBlob(registry: RunningRegistry, repository: string, digest: string, size: number, input: Uint8Array): Promise<void> {
  const bytes = await assertBlob(registry, repository, digest, size);
  assert.ok(Buffer.from(input).equals(gunzipSync(bytes)), "the blob gunzips to the input");
}

/**
 * Upload sessions docker-registry still keeps for a repository, read from its
 * storage directory: a session lives while its `startedat` file does (a
 * cancelled session leaves its `hashstates` behind, and is gone all the same).
 * go-containerregistry's registry keeps them in memory with no listing and no
 * status GET: nothing to look at there.
 */
export function openUploads(registry: RunningRegistry, repository: string): string[] {
  if (registry.kind !== "docker-registry") return [];
  const uploads = join(registry.dir, "data/docker/registry/v2/repositories", repository, "_uploads");
  try {
    return readdirSync(uploads).filter((id) => existsSync(join(uploads, id, "startedat")));
  } catch {
    return [];
  }
}

/** Deterministic pseudo-random bytes (xorshift), incompressible like real compressed data. */
export function randomData(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, Math.floor(size / 4));
  const next = xorshift32(seed);
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < size; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}

/** How many bytes `new StreamLayer(input)` compresses to with its defaults (a dry run). */
export async function compressedLength(makeLayer: (source: ReadableStream<Uint8Array>) => { compressed(): ReadableStream<Uint8Array> }, input: Uint8Array<ArrayBuffer>): Promise<number> {
  const bytes = await new Response(makeLayer(new Blob([input]).stream()).compressed()).arrayBuffer();
  return bytes.byteLength;
}
