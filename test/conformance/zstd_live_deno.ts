// Deno's part of zstd_live.test.ts: the zstd layers of the TypeScript
// sources, as Deno users import them (zstd.wasm fetched from beside its
// module), printed as JSON.
import * as lib from "../../src/index.ts";
import { zstdLayers } from "./zstd_live_probe.ts";

console.log(JSON.stringify(await zstdLayers(lib, 2)));
