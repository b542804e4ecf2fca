// Chromium's part of zstd_pushed.test.ts, bundled by esbuild and added to a
// page whose server passes /v2/ on to the registry: `window.pushZstdImage`.
import * as lib from "../../src/index.ts";
import { pushZstdImage } from "./zstd_pushed_probe.ts";

Object.assign(globalThis, { pushZstdImage: (registry: string) => pushZstdImage(lib, registry, "chromium") });
