// One push as pushInWorker makes it, on whichever thread runs it: the module
// worker, or the caller's own thread where no worker can be made. Everything it
// takes is data, so that the same request can be posted to a worker.
import { appendLayers } from "../image/append_layers.ts";
import { emptyImage } from "../image/empty_image.ts";
import type { Image } from "../image/image.ts";
import { pullImage } from "../image/pull_image.ts";
import { writeImage } from "../image/write_image.ts";
import { CompressedStreamLayer } from "../layer/compressed_stream_layer.ts";
import type { Layer } from "../layer/layer.ts";
import { sourceBytesRead } from "../layer/_partial.ts";
import { StreamLayer } from "../layer/stream_layer.ts";
import { peekCompression } from "../layer/_peek_compression.ts";
import { parseReference } from "../registry/reference.ts";
import type { PushInWorkerOptions, PushProgress, PushResult } from "./push_in_worker.ts";

/** What a push is asked to do: the options of pushInWorker that are data. */
export type PushRequest = Omit<PushInWorkerOptions, "signal" | "onProgress" | "thread"> & { readonly reference: string };

/** A push's outcome, before it is told where it ran. */
export type PushOutcome = Omit<PushResult, "thread">;

/**
 * Pushes `source` as the top layer of an image (on `base`, or on an empty
 * image) to `request.reference`; reports progress by phase, and ends the push
 * (the upload session deleted) when `signal` aborts.
 */
export async function runPush(request: PushRequest, source: Blob | ReadableStream<Uint8Array>, onProgress: (progress: PushProgress) => void, signal: AbortSignal | undefined): Promise<PushOutcome> {
  const sourceSize = source instanceof Blob ? source.size : undefined;
  const { gzip, zstd, stream } = await peekCompression(source instanceof Blob ? source.stream() : source);
  const requireTar = request.layer?.requireTar;
  const layer: Layer = gzip
    ? new CompressedStreamLayer(stream, { mediaType: request.layer?.mediaType, requireTar })
    : zstd
      ? new CompressedStreamLayer(stream, { compression: "zstd", requireTar })
      : new StreamLayer(stream, request.layer);
  const client = { timeout: request.timeout, insecure: request.insecure, signal };
  let image: Image;
  try {
    const base = request.base === undefined ? emptyImage() : await pullImage(request.base, { ...client, auth: request.baseAuth ?? sameRegistryAuth(request) });
    image = appendLayers(base, layer);
  } catch (error) {
    await stream.cancel(error).catch(() => {});
    throw error;
  }
  const top = image.layers().length - 1;
  let last: PushProgress = { phase: "layer", read: 0, compressed: 0, acknowledged: 0, total: undefined, sourceSize };
  const report = (progress: PushProgress) => {
    last = progress;
    try {
      onProgress(progress);
    } catch {
      // A progress display must not break the push.
    }
  };
  const descriptor = await writeImage(request.reference, image, {
    ...client,
    auth: request.auth,
    upload: request.upload,
    chunkSize: request.chunkSize,
    onProgress: (progress) => {
      if (progress.layer !== top) return;
      report({ phase: "layer", read: progress.read, compressed: progress.compressed, acknowledged: progress.acknowledged, total: progress.total, sourceSize });
    },
    onPhase: (phase) => report({ ...last, phase }),
  });
  const values = layer.computed?.() ?? { digest: await layer.digest(), diffID: await layer.diffID(), size: await layer.size() };
  const listed = (await image.values()).manifest.layers.at(-1);
  report({ phase: "done", read: sourceBytesRead(layer) ?? last.read, compressed: values.size, acknowledged: values.size, total: values.size, sourceSize });
  const target = parseReference(request.reference, { insecure: request.insecure });
  return {
    descriptor,
    reference: `${target.registry}/${target.repository}@${descriptor.digest}`,
    layer: { digest: values.digest, diffID: values.diffID, size: values.size, mediaType: listed?.mediaType ?? layer.mediaType() },
  };
}

// The push's credentials serve a base on the same registry; another
// registry's base is pulled anonymously unless `baseAuth` says otherwise.
function sameRegistryAuth(request: PushRequest): PushRequest["auth"] {
  if (request.base === undefined || request.auth === undefined) return undefined;
  const from = parseReference(request.base, { insecure: request.insecure }).registry;
  const to = parseReference(request.reference, { insecure: request.insecure }).registry;
  return from === to ? request.auth : undefined;
}
