import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { InputError } from "./_cli_errors.ts";

/**
 * The tarball to push, as a web stream: a file, or stdin for `-`. Counts the
 * bytes read, and turns any read failure into an {@link InputError} so that
 * it is reported as the input's fault, not the registry's. An abort errors the
 * stream at once, even while a read from stdin waits, so that nothing mistakes
 * it for the end of the input.
 */
export async function openInput(
  path: string,
  onRead: (total: number) => void,
  signal?: AbortSignal,
): Promise<{ stream: ReadableStream<Uint8Array>; size: number | undefined }> {
  let source: Readable;
  let size: number | undefined;
  if (path === "-") source = process.stdin;
  else {
    const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`Cannot read the input: ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`, { cause: error });
    });
    if (!stats.isFile()) throw new InputError(`Cannot read the input: ${path}: not a file`);
    size = stats.size;
    source = createReadStream(path, { highWaterMark: 256 * 1024 });
  }
  const reader = (Readable.toWeb(source) as ReadableStream<Uint8Array>).getReader();
  let total = 0;
  const name = path === "-" ? "stdin" : path;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener("abort", () => {
        controller.error(signal.reason);
        void reader.cancel(signal.reason).catch(() => {});
      }, { once: true });
    },
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw new InputError(`Reading the input failed: ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (result.done) return controller.close();
      total += result.value.length;
      onRead(total);
      controller.enqueue(result.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, size };
}
