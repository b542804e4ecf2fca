// Chromium's entry for worker_sha256.test.ts, bundled by esbuild: the cases on `window`.
import { runWorkerCases } from "./worker_sha256_cases.ts";

Object.assign(globalThis, { runWorkerCases });
