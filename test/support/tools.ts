/**
 * Independent checks: the system's own sha256sum and gunzip, not our code.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const MAX_BUFFER = 512 * 1024 * 1024;

/** A temporary directory, removed by the returned function. */
export async function temporaryDirectory(prefix = "streamlayer-"): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** `sha256:<hex>` of bytes in memory, by Node's OpenSSL: not the library's hasher. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** `sha256:<hex>` of a file, as `sha256sum` computes it. */
export async function sha256sum(file: string): Promise<string> {
  const { stdout } = await run("sha256sum", [file]);
  return `sha256:${stdout.split(" ")[0]}`;
}

/** The bytes `gunzip -c` gives back for a file. */
export async function gunzip(file: string): Promise<Buffer> {
  const { stdout } = await run("gunzip", ["-c", file], { encoding: "buffer", maxBuffer: MAX_BUFFER });
  return stdout;
}

/** Writes bytes to a file in `directory` and returns its path. */
export async function writeTemporaryFile(directory: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, bytes);
  return path;
}
