// Chromium's entry for worker_block_gzip.test.ts, bundled into a page whose
// server puts parallel-pako's worker beside it: the cases on `window.runWorkerCases`.
import { runForbiddenWorkersCase, runWorkerCases } from "./worker_block_gzip_run.ts";

Object.assign(globalThis, { runWorkerCases: () => runWorkerCases(), runForbiddenWorkersCase });
