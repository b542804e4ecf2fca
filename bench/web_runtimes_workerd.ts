// workerd's part of bench/web_runtimes.ts, bundled as a Worker. A Worker's
// clock stands still while it computes, so the caller times each request:
//   POST /input                      keeps the body (the tarball) in memory
//   POST /case?name=&chunk=          runs one case of the probe over it
//   GET  /layer?times=&chunk=[&zstd=1] answers with StreamLayer's gzip (or zstd) of the tarball
//                                    `times` over, for a slow reader to read
import { StreamLayer } from "../src/index.ts";
import { pulledCompressionStream } from "./_pulled_compression_stream.ts";
import { EXTRA_CASES, timeCase, WEB_RUNTIME_CASES, ZSTD_CASES, type WebRuntimeCase } from "./web_runtimes_probe.ts";

let bytes = new Uint8Array(0);

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const chunk = Number(url.searchParams.get("chunk") ?? 65536);
    switch (url.pathname) {
      case "/input":
        bytes = new Uint8Array(await request.arrayBuffer());
        return Response.json({ loaded: bytes.length });
      case "/case": {
        const name = url.searchParams.get("name") as WebRuntimeCase;
        if (![...WEB_RUNTIME_CASES, ...EXTRA_CASES, ...ZSTD_CASES].includes(name)) return new Response(`Unknown case: ${name}`, { status: 400 });
        await timeCase(name, bytes, chunk);
        return Response.json({ ok: true });
      }
      case "/layer": {
        const times = Number(url.searchParams.get("times") ?? 1);
        let round = 0;
        let offset = 0;
        const source = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= bytes.length) {
              offset = 0;
              if (++round >= times) return controller.close();
            }
            controller.enqueue(bytes.subarray(offset, (offset += chunk)));
          },
        }, { highWaterMark: 0 });
        const pulled = url.searchParams.get("pulled") === "1";
        const zstd = url.searchParams.get("zstd") === "1";
        return new Response(new StreamLayer(source, zstd ? { compression: "zstd" } : pulled ? { compressor: pulledCompressionStream } : {}).compressed());
      }
      default:
        return new Response("Not found", { status: 404 });
    }
  },
};
