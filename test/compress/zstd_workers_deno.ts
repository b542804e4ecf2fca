// Deno's part of zstd_workers.test.ts: the zstd layers of the TypeScript
// sources (Web Workers started from them), printed as JSON.
import * as lib from "../../src/index.ts";
import { zstdWorkerLayers } from "./zstd_workers_probe.ts";

console.log(JSON.stringify(await zstdWorkerLayers(lib, 2)));
