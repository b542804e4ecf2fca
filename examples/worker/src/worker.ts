// A Cloudflare Worker with two jobs:
//   POST /push/<repository>:<tag>  the request body (a .tar, or a .tar.gz sent
//        as Content-Type: application/gzip) becomes the one layer of a new
//        image, streamed to the registry as it arrives: never held whole.
//   /v2/...  passed on to the registry, so that a page served by this Worker
//        pushes to its own origin: no CORS needed on the registry.
import { appendLayers, CompressedStreamLayer, emptyImage, isStreamLayerError, StreamLayer, writeImage } from "streamlayer";

export interface Env {
  /** The registry, host[:port]. */
  REGISTRY: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/v2/")) return proxy(request, url, env);
    if (request.method === "POST" && url.pathname.startsWith("/push/")) return push(request, url.pathname.slice("/push/".length), env);
    return new Response("POST /push/<repository>:<tag> with a tarball, or use /v2/ as a registry\n", { status: 404 });
  },
};

async function push(request: Request, image: string, env: Env): Promise<Response> {
  if (!request.body) return Response.json({ error: "The body must be a tarball" }, { status: 400 });
  const gzip = /^application\/(x-)?gzip\b/.test(request.headers.get("content-type") ?? "");
  const layer = gzip ? new CompressedStreamLayer(request.body) : new StreamLayer(request.body);
  try {
    const manifest = await writeImage(`${env.REGISTRY}/${image}`, appendLayers(emptyImage(), layer));
    return Response.json({ manifest: manifest.digest, layer: layer.computed() });
  } catch (error) {
    const status = isStreamLayerError(error) && error.code === "INVALID_LAYER_SOURCE" ? 400 : 502;
    return Response.json({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, { status });
  }
}

// The registry writes upload Locations for the Host it was asked on; asked as
// itself, its absolute Locations are turned back into this origin's paths.
async function proxy(request: Request, url: URL, env: Env): Promise<Response> {
  const upstream = new URL(`${url.pathname}${url.search}`, registryOrigin(env.REGISTRY));
  const headers = new Headers(request.headers);
  headers.delete("host");
  const answer = await fetch(upstream, {
    method: request.method,
    headers,
    body: request.body,
    redirect: "manual",
  });
  const location = answer.headers.get("location");
  if (location === null) return answer;
  const target = new URL(location, upstream);
  if (target.origin !== upstream.origin) return answer;
  const rewritten = new Headers(answer.headers);
  rewritten.set("location", `${target.pathname}${target.search}`);
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers: rewritten });
}

function registryOrigin(registry: string): string {
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);
  return `${loopback ? "http" : "https"}://${registry}`;
}
