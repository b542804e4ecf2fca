// The test page's script, bundled by esbuild: the library, the conformance
// suite, and what only a page can do (a File from an <input type=file>, a Web
// Worker), exposed on `window.streamlayerTest` for chromium.spec.ts to drive.
import * as lib from "../../../src/index.ts";
import { conformanceCase } from "../../conformance/cases.ts";
import type { WorkerRequest, WorkerResult } from "./web_worker.ts";

export interface CaseResult {
  ok: boolean;
  error?: string;
}

export interface PushResult {
  manifestDigest: string;
  layer: { digest: string; diffID: string; size: number };
  fileName: string;
  fileSize: number;
}

async function runCase(name: string, registry: string): Promise<CaseResult> {
  try {
    await conformanceCase(name).run({ lib, runtime: "chromium", registry, hasZlib: false, streamsRequestBodies: false });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

function chosenFile(): File {
  const file = document.querySelector<HTMLInputElement>("#tarball")?.files?.[0];
  if (!file) throw new Error("No file chosen in #tarball");
  return file;
}

/** Pushes the chosen file as the one layer of an image, in chunked mode. */
async function pushChosenFile(reference: string, chunkSize: number): Promise<PushResult> {
  const file = chosenFile();
  const layer = new lib.StreamLayer(file.stream());
  const image = lib.appendLayers(lib.emptyImage(), layer);
  const descriptor = await lib.writeImage(reference, image, { upload: "chunked", chunkSize });
  return { manifestDigest: descriptor.digest, layer: layer.computed(), fileName: file.name, fileSize: file.size };
}

/** Sends the chosen file to a Web Worker that pushes it; counts main-thread turns meanwhile. */
async function pushChosenFileInWorker(reference: string, chunkSize: number): Promise<WorkerResult & { mainThreadTurns: number }> {
  const worker = new Worker("/web_worker.js", { type: "module" });
  let mainThreadTurns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    mainThreadTurns++;
    setTimeout(tick, 0);
  };
  tick();
  try {
    const result = await new Promise<WorkerResult>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<WorkerResult>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(`The worker failed: ${event.message}`));
      worker.postMessage({ file: chosenFile(), reference, chunkSize } satisfies WorkerRequest);
    });
    return { ...result, mainThreadTurns };
  } finally {
    running = false;
    worker.terminate();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
}

const api = { runCase, pushChosenFile, pushChosenFileInWorker };
export type StreamlayerTestApi = typeof api;
(globalThis as unknown as { streamlayerTest: StreamlayerTestApi }).streamlayerTest = api;
