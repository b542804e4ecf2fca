// Chromium's part of zstd_workers.test.ts, bundled into a page whose server
// puts zstd's worker and zstd.wasm beside it, as a bundler would.
import * as lib from "../../src/index.ts";
import { oneZstdLayerDigest, zstdWorkerLayers } from "./zstd_workers_probe.ts";

Object.assign(globalThis, { zstdWorkerLayers: () => zstdWorkerLayers(lib, 3), oneZstdLayerDigest: () => oneZstdLayerDigest(lib) });
