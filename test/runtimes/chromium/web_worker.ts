// A Web Worker that turns a File into a layer and pushes an image, so the
// page's main thread stays free while the layer compresses.
import * as lib from "../../../src/index.ts";

export interface WorkerRequest {
  file: File;
  reference: string;
  chunkSize: number;
}

export interface WorkerResult {
  ok: boolean;
  error?: string;
  inWorker?: boolean;
  manifestDigest?: string;
  layer?: { digest: string; diffID: string; size: number };
}

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null; postMessage(message: WorkerResult): void; document?: unknown };

scope.onmessage = async (event) => {
  const { file, reference, chunkSize } = event.data;
  try {
    const layer = new lib.StreamLayer(file.stream());
    const descriptor = await lib.writeImage(reference, lib.appendLayers(lib.emptyImage(), layer), { chunkSize });
    scope.postMessage({ ok: true, inWorker: scope.document === undefined, manifestDigest: descriptor.digest, layer: layer.computed() });
  } catch (error) {
    scope.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};
