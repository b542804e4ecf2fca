// workerd's part of zstd_pushed.test.ts: a Worker that pushes the zstd image
// to the registry named by `?registry=` and answers with what it pushed.
import * as lib from "../../src/index.ts";
import { pushZstdImage } from "./zstd_pushed_probe.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    try {
      const registry = new URL(request.url).searchParams.get("registry")!;
      return Response.json(await pushZstdImage(lib, registry, "workerd"));
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 });
    }
  },
};
