// workerd's part of test/conformance/deterministic_live.test.ts: a Worker
// that answers any request with the deterministic layers, as JSON.
import * as lib from "../../../src/index.ts";
import { deterministicLayers } from "../../conformance/deterministic_live_probe.ts";

export default {
  async fetch(): Promise<Response> {
    return Response.json(await deterministicLayers(lib, 3));
  },
};
