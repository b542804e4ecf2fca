// A local HTTP origin that serves a few fixed files: the pages that load
// parallel-pako's worker the way a bundler user's page does, as a file beside
// the page's bundle. 127.0.0.1 is a secure context (WebCrypto is there).
import { createServer } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";
import { PORTABLE_TSCONFIG } from "../support/portable_sources.ts";

export interface ServedFile {
  type: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface FileServer {
  url: string;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, "../..");

/** esbuild's browser bundle of `entry` (a path from the repository's root), as ESM. */
export async function browserBundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [join(ROOT, entry)], bundle: true, write: false, format: "esm", platform: "browser", tsconfig: PORTABLE_TSCONFIG, target: "es2022", logLevel: "warning" });
  return result.outputFiles[0]!.text;
}

/** The page bundle and parallel-pako's worker beside it, at /page.js and /_block_deflate_worker.js. */
export async function pageWithBlockWorker(pageEntry: string): Promise<Record<string, ServedFile>> {
  const [page, worker] = await Promise.all([browserBundle(pageEntry), browserBundle("src/compress/_block_deflate_worker.ts")]);
  return {
    "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>` },
    "/page.js": { type: "text/javascript", body: page },
    "/_block_deflate_worker.js": { type: "text/javascript", body: worker },
  };
}

export async function serveFiles(files: Record<string, ServedFile>): Promise<FileServer> {
  const server = createServer((request, response) => {
    const file = files[request.url ?? ""];
    if (!file) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": file.type, "cache-control": "no-store", ...file.headers }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
