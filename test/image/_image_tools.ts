// Helpers for image tests: tarballs with a DiffID known independently of our
// code (node:crypto over the exact bytes), and skopeo as the judge.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createTarStream } from "../../src/index.ts";
import { sha256 } from "../support/tools.ts";

const run = promisify(execFile);

/** A small tarball made by createTarStream, and its DiffID computed by node:crypto. */
export async function tarball(files: Record<string, string>): Promise<{ bytes: Uint8Array; diffID: string }> {
  const stream = createTarStream(Object.entries(files).map(([path, data]) => ({ path, data })));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return { bytes, diffID: sha256(bytes) };
}

/** A stream of `bytes`, read once. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

/** Runs skopeo and parses its JSON output. */
export async function skopeoJson<T>(...args: string[]): Promise<T> {
  const { stdout } = await run("skopeo", args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

/** Runs skopeo; rejects with its stderr when it fails. */
export async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run("skopeo", args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface Inspected {
  Digest: string;
  Layers: string[];
  Architecture: string;
}

export interface InspectedConfig {
  rootfs: { diff_ids: string[] };
  architecture: string;
}
