// workerd's part of zstd_live.test.ts: a Worker that answers any request with
// the zstd layers, as JSON; zstd.wasm is one of its modules, as wrangler
// bundles it.
import * as lib from "../../src/index.ts";
import { zstdLayers } from "./zstd_live_probe.ts";

export default {
  async fetch(): Promise<Response> {
    return Response.json(await zstdLayers(lib, 3));
  },
};
