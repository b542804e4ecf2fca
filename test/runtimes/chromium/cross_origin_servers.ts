// Servers for the cross-origin tests: a static server for a built page (the
// page's origin), and a front that answers CORS preflights for a registry
// that cannot (docker-registry asks an OPTIONS for credentials when auth is
// on), the way an nginx in front of it would.
import { readFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import { extname, join, normalize } from "node:path";

export interface LocalServer {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/** Serves the files of `directory` (index.html for `/`). */
export function startStaticServer(directory: string): Promise<LocalServer> {
  return listen(
    createServer(async (incoming, outgoing) => {
      const path = normalize(new URL(incoming.url ?? "/", "http://x").pathname).replace(/^(\.\.[/\\])+/, "");
      const file = join(directory, path.endsWith("/") ? `${path}index.html` : path);
      try {
        const body = await readFile(file);
        outgoing.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
      } catch {
        outgoing.writeHead(404).end();
      }
    }),
  );
}

/**
 * Answers every OPTIONS itself with 204 and `preflightHeaders`, and passes the
 * rest on to `target` (`http://host:port`) with its Host header kept, so that
 * the registry's upload Locations point back at this front.
 */
export function startPreflightFront(target: string, preflightHeaders: Record<string, string[]>): Promise<LocalServer> {
  const to = new URL(target);
  return listen(
    createServer((incoming, outgoing) => {
      if (incoming.method === "OPTIONS") {
        const headers = Object.fromEntries(Object.entries(preflightHeaders).map(([name, values]) => [name, values.join(", ")]));
        outgoing.writeHead(204, { ...headers, "access-control-max-age": "600" }).end();
        return;
      }
      const forwarded = httpRequest({ host: to.hostname, port: to.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.on("error", () => outgoing.destroy());
      incoming.pipe(forwarded);
    }),
  );
}

/** Listens on an ephemeral port of 127.0.0.1; `stop` closes every connection too. */
export async function listen(server: Server): Promise<LocalServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
