// Chromium's part of zstd_live.test.ts, bundled by esbuild and added to a
// page whose server serves zstd.wasm beside it: the zstd layers, on
// `window.zstdLayers`.
import * as lib from "../../src/index.ts";
import { zstdLayers } from "./zstd_live_probe.ts";

Object.assign(globalThis, { zstdLayers: () => zstdLayers(lib, 4) });
