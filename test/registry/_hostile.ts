// A hostile registry of our own (a small node:http server on 127.0.0.1) that
// the normal client reaches: for answers no real registry gives on purpose.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

export interface Hostile {
  host: string;
  /** Requests seen: `METHOD /path`. */
  seen: string[];
  stop(): Promise<void>;
}

/** Starts a server that answers every request with `handler`. */
export async function hostile(handler: Handler): Promise<Hostile> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    seen.push(`${request.method} ${url.pathname}`);
    handler(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Answers with a status, headers and an optional body. */
export function answer(response: ServerResponse, status: number, headers: Record<string, string> = {}, body?: Uint8Array | string): void {
  response.writeHead(status, headers);
  response.end(body);
}

/** Sends the headers, then one byte every `every` ms, for ever (until the client goes). */
export function trickle(response: ServerResponse, status: number, headers: Record<string, string> = {}, every = 100): void {
  response.writeHead(status, headers);
  response.flushHeaders();
  const timer = setInterval(() => {
    if (response.destroyed) clearInterval(timer);
    else response.write("x");
  }, every);
  response.on("close", () => clearInterval(timer));
}
