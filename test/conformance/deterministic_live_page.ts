// Chromium's part of deterministic_live.test.ts, bundled by esbuild and added
// to a page: the deterministic layers, on `window.deterministicLayers`.
import * as lib from "../../src/index.ts";
import { deterministicLayers } from "./deterministic_live_probe.ts";

Object.assign(globalThis, { deterministicLayers: () => deterministicLayers(lib, 4) });
