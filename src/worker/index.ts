// streamlayer/worker: pushing off the calling thread, in a module Web Worker.
export { pushInWorker, type PushInWorkerOptions, type PushProgress, type PushResult, type PushThread, type PushThreadOption, type WorkerLayerOptions } from "./push_in_worker.ts";
export { WorkerUnavailableError } from "./errors.ts";
