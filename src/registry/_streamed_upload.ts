import type { Layer } from "../layer/layer.ts";
import { UploadNotResumableError } from "./errors.ts";
import { sourceBytesRead } from "../layer/_partial.ts";
import type { ProgressReporter } from "./progress.ts";
import type { UploadSession } from "./upload_session.ts";

/**
 * Sends a layer's compressed stream as the body of one PATCH
 * (`duplex: "half"`): no chunk is held, but nothing can be sent twice, so any
 * failure ends the upload. Needs a runtime that streams request bodies: Node,
 * Deno, Workers, and Chromium over HTTP/2 or QUIC.
 *
 * An abort ends the body where it stands rather than cutting the connection:
 * the registry then answers the PATCH with the session's newest URL, on which
 * the caller can delete the session (docker-registry refuses an older one).
 *
 * @returns The number of bytes uploaded. The caller finishes the session.
 * @throws {UploadNotResumableError} when the request fails, the registry answers before it read the
 * body to its end, or it holds another size.
 * @throws the signal's reason when aborted.
 */
export async function streamedUpload(session: UploadSession, layer: Layer, progress: ProgressReporter, signal?: AbortSignal): Promise<number> {
  const source = layer.compressed().getReader();
  let sent = 0;
  let whole = false;
  let bodyController: ReadableStreamDefaultController<Uint8Array> | undefined;
  const end = () => {
    // Cancelling ends the source; the read waiting on it settles as done, and the body closes.
    void source.cancel(signal?.reason).catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      bodyController = controller;
    },
    async pull(controller) {
      const { done, value } = await source.read();
      if (done) {
        whole = true;
        controller.close();
        return;
      }
      sent += value.byteLength;
      progress.update({ read: sourceBytesRead(layer), compressed: sent });
      controller.enqueue(value);
    },
    cancel: (reason) => source.cancel(reason),
  }, { highWaterMark: 0 });
  signal?.addEventListener("abort", end, { once: true });
  try {
    const status = await session.patchStream(body);
    signal?.throwIfAborted();
    // An answer that came before the body was taken to its end cannot hold the
    // whole blob; and the layer's size, known only at the end, would never come.
    if (!whole) throw new UploadNotResumableError(`the registry answered ${status === undefined ? "the streamed PATCH" : `the streamed PATCH, holding ${status.size} bytes,`} before it had read the body to its end (${sent} bytes sent)`);
    const size = await layer.size();
    if (status !== undefined && !(status.size === size || (status.ambiguous && size <= 1))) {
      throw new UploadNotResumableError(`the registry holds ${status.size} bytes of the ${size} sent in a streamed upload`);
    }
    progress.update({ acknowledged: size });
    return size;
  } catch (error) {
    // Where fetch failed holding the body without reading it (Chromium over
    // HTTP/1.1), nothing else ends the source: end it here, and the body.
    await source.cancel(error).catch(() => {});
    try {
      bodyController?.error(error);
    } catch {
      // Closed already.
    }
    throw error;
  } finally {
    signal?.removeEventListener("abort", end);
  }
}
