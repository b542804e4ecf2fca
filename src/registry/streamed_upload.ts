import type { Layer } from "../layer/layer.ts";
import { UploadNotResumableError } from "./errors.ts";
import { type ProgressReporter, sourceBytesRead } from "./progress.ts";
import type { UploadSession } from "./upload_session.ts";

/**
 * Sends a layer's compressed stream as the body of one PATCH
 * (`duplex: "half"`): no chunk is held, but nothing can be sent twice, so any
 * failure ends the upload. Needs a runtime that streams request bodies: Node,
 * Deno, Workers, and Chromium over HTTP/2 or QUIC.
 *
 * @returns The number of bytes uploaded. The caller finishes the session.
 * @throws {UploadNotResumableError} when the request fails or the registry holds another size.
 */
export async function streamedUpload(session: UploadSession, layer: Layer, progress: ProgressReporter): Promise<number> {
  let sent = 0;
  let counterController: TransformStreamDefaultController<Uint8Array> | undefined;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      counterController = controller;
    },
    transform(chunk, controller) {
      sent += chunk.byteLength;
      progress.update({ read: sourceBytesRead(layer), compressed: sent });
      controller.enqueue(chunk);
    },
  });
  // Aborting the pipe cancels the layer's stream, and so its source, even while fetch holds the body.
  const pipe = new AbortController();
  const body = layer.compressed().pipeThrough(counter, { signal: pipe.signal });
  try {
    const status = await session.patchStream(body);
    const size = await layer.size();
    if (status !== undefined && !(status.size === size || (status.ambiguous && size <= 1))) {
      throw new UploadNotResumableError(`the registry holds ${status.size} bytes of the ${size} sent in a streamed upload`);
    }
    progress.update({ acknowledged: size });
    return size;
  } catch (error) {
    // Aborting alone is not enough where fetch failed holding the body without
    // reading it (Chromium over HTTP/1.1): the pipe then waits for a write the
    // body will never take. Erroring the body ends that write, so the pipe
    // cancels the layer's stream, and so its source.
    counterController?.error(error);
    pipe.abort(error);
    throw error;
  }
}
