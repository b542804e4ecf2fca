// The test page's origin: serves the page and its bundled scripts, and passes
// /v2/ on to the real registry, so the page reaches the registry from its own
// origin (no CORS needed). HTTP/1.1, as a plain local server is.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { PORTABLE_TSCONFIG } from "../../support/portable_sources.ts";
import { listen } from "./cross_origin_servers.ts";

export interface PageServer {
  /** `127.0.0.1:PORT`: the page's origin, and the registry as the page sees it. */
  host: string;
  url: string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const ZSTD_WASM = join(here, "../../../src/compress/zstd/zstd.wasm");

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>streamlayer in Chromium</title></head>
<body><input type="file" id="tarball"><script type="module" src="/page.js"></script></body></html>`;

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    tsconfig: PORTABLE_TSCONFIG,
    target: "es2022",
    logLevel: "warning",
  });
  return result.outputFiles[0]!.text;
}

/** Starts the server; `registry` is the registry's `http://host:port`. */
export async function startPageServer(registry: string): Promise<PageServer> {
  const [page, worker, hashWorker] = await Promise.all([bundle("page.ts"), bundle("web_worker.ts"), bundle("../../../src/hash/_sha256_worker.ts")]);
  const files: Record<string, { type: string; body: string | Uint8Array }> = {
    "/": { type: "text/html", body: PAGE },
    "/page.js": { type: "text/javascript", body: page },
    "/web_worker.js": { type: "text/javascript", body: worker },
    // The layers' hashing worker, beside the page's bundle as a bundler puts it.
    "/_sha256_worker.js": { type: "text/javascript", body: hashWorker },
  };
  // Beside the page's scripts, where the zstd loader fetches it (a bundler would copy it there).
  if (existsSync(ZSTD_WASM)) files["/zstd.wasm"] = { type: "application/wasm", body: readFileSync(ZSTD_WASM) };
  const target = new URL(registry);
  const server = createServer((incoming, outgoing) => {
    if (incoming.url?.startsWith("/v2/")) return proxy(incoming, outgoing, target);
    const file = files[incoming.url ?? ""];
    if (!file) return outgoing.writeHead(404).end();
    outgoing.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  return listen(server);
}

// Streams the request to the registry and the answer back. The Host header is
// kept, so the registry writes upload Locations that point at this origin.
function proxy(incoming: IncomingMessage, outgoing: ServerResponse, target: URL): void {
  const forwarded = httpRequest(
    { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  forwarded.on("error", () => outgoing.destroy());
  incoming.on("aborted", () => forwarded.destroy());
  incoming.pipe(forwarded);
}
