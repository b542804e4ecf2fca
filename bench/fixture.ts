// The benchmark's input: a tarball of real files, made once from this machine's
// /usr and cut to the size asked for, so that the figures compare with
// go-containerregistry's, measured on a tar of real files too.
import { execFile } from "node:child_process";
import { open, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const MiB = 1024 * 1024;
const READ_SIZE = 64 * 1024;

/** The path of a tar of real files, exactly `bytes` long, made on first use. */
export async function benchTarball(bytes: number): Promise<string> {
  const path = join(tmpdir(), `streamlayer-bench-${bytes}.tar`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === bytes) return path;
  await run("bash", ["-c", `set -o pipefail; tar cf - -C / usr/share usr/lib 2>/dev/null | head -c ${bytes} > ${path}; true`], { maxBuffer: MiB });
  const made = await stat(path);
  if (made.size !== bytes) throw new Error(`Cannot make the bench tarball: got ${made.size} bytes of ${bytes}`);
  return path;
}

/** The whole file in memory, as views of `pieceSize` (64 KiB), for throughput runs that must not wait on the disk. */
export async function readChunks(path: string, pieceSize = READ_SIZE): Promise<Uint8Array[]> {
  const handle = await open(path);
  try {
    const whole = new Uint8Array(await handle.readFile());
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < whole.length; offset += pieceSize) chunks.push(whole.subarray(offset, offset + pieceSize));
    return chunks;
  } finally {
    await handle.close();
  }
}

/** A stream over chunks already in memory. */
export function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[index++];
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A stream that reads `path` from disk `times` times over, in fresh 64 KiB buffers: never in memory whole. */
export function streamFromDisk(path: string, times: number): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let position = 0;
  let round = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        handle ??= await open(path);
        while (round < times) {
          const buffer = new Uint8Array(READ_SIZE);
          const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, position);
          if (bytesRead > 0) {
            position += bytesRead;
            controller.enqueue(buffer.subarray(0, bytesRead));
            return;
          }
          position = 0;
          round++;
        }
        await handle.close();
        controller.close();
      },
      async cancel() {
        await handle?.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A sink that throws its input away. */
export function discard(): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>();
}

/** A consumer that takes at most `bytesPerSecond`, for the memory probes: the slow reader a flat-memory design must hold back for. */
export function slowSink(bytesPerSecond: number): WritableStream<Uint8Array> {
  const started = performance.now();
  let received = 0;
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      received += chunk.length;
      const due = (received / bytesPerSecond) * 1000 - (performance.now() - started);
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
    },
  });
}
