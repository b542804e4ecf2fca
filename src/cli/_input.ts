import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { appendUpToWindow, imageTarballFormat, sniffLayerSource, TAR_BLOCK } from "../layer/sniff_layer_source.ts";
import { replayed } from "../layer/_peek_compression.ts";
import { InputError } from "./_cli_errors.ts";

/**
 * The tarball to push, as a web stream: a file, or stdin for `-`. Counts the
 * bytes read, and turns any read failure into an {@link InputError} so that
 * it is reported as the input's fault, not the registry's. An abort errors the
 * stream at once, even while a read from stdin waits, so that nothing mistakes
 * it for the end of the input. An image tarball (`docker save`, an OCI
 * layout) is refused here, before anything is sent, saying what reads it.
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
  return { stream: await refusingImageTarballs(stream, path), size };
}

/**
 * `stream` again, whole, once its first entries (what the input check reads:
 * the first block as a rule, never more than 64 KiB) show it is not an image
 * tarball. The chunks read are handed out as they came, nothing is read
 * twice, and nothing more is read ahead.
 */
async function refusingImageTarballs(stream: ReadableStream<Uint8Array>, path: string): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  const read: Uint8Array[] = [];
  let head: Uint8Array = new Uint8Array(0);
  let ended = false;
  for (;;) {
    const result = await reader.read();
    if (result.done) ended = true;
    else {
      read.push(result.value);
      head = head.length === 0 && result.value.length >= TAR_BLOCK ? result.value : appendUpToWindow(head, result.value);
    }
    const kind = sniffLayerSource(head, ended);
    if (kind === "image-tarball") {
      await reader.cancel().catch(() => {});
      throw new InputError(imageTarballAdvice(head, path));
    }
    if (kind !== undefined || ended) break;
  }
  return replayed(read, reader, ended);
}

// One line: what the input is, and the commands that push it as the image it holds.
function imageTarballAdvice(head: Uint8Array, path: string): string {
  const name = path === "-" ? "stdin" : path;
  const file = path === "-" ? "<file>" : path;
  const unpack = `unpack it (mkdir dir && tar -xf ${file} -C dir) and run "streamlayer copy oci:dir <destination>"`;
  switch (imageTarballFormat(head)) {
    case "docker-archive":
      return `Input ${name} is a \`docker save\` tarball (a whole image), not the tar of one layer: push it with "skopeo copy docker-archive:${file} docker://<destination>" or "crane push ${file} <destination>"`;
    case "docker-oci-layout":
      return `Input ${name} is a \`docker save\` tarball of Docker 25+ (an OCI layout, a whole image), not the tar of one layer: ${unpack}, or use "skopeo copy oci-archive:${file} docker://<destination>" or "crane push ${file} <destination>"`;
    default:
      return `Input ${name} is an image tarball (an OCI layout, a whole image), not the tar of one layer: ${unpack}, or use "skopeo copy oci-archive:${file} docker://<destination>"`;
  }
}
