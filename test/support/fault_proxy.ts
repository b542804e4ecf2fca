// A fault-injecting HTTP proxy in front of the real registry, for tests: the
// proxy is ours, the registry behind it is real. A rule picks, per request,
// whether to forward it, answer in the registry's place, cut the connection in
// the middle of the body, lose the registry's response, delay, or rewrite headers.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultAction =
  | { kind: "forward" }
  /** Answer without forwarding. */
  | { kind: "respond"; status: number; headers?: Record<string, string>; body?: string }
  /** Forward the headers and `after` bytes of the body, then drop both connections. */
  | { kind: "reset-mid-body"; after: number }
  /** Forward all, let the registry answer, then drop the client's connection instead of answering. */
  | { kind: "drop-response" }
  /** Wait, then forward. */
  | { kind: "delay"; ms: number }
  /** Forward at once, and wait before passing the registry's answer on. */
  | { kind: "delay-response"; ms: number }
  /** Forward with some request headers replaced. */
  | { kind: "rewrite"; headers: Record<string, string> }
  /**
   * Forward, and change the registry's answer body as a damaged storage would:
   * the byte at `flip` inverted, and/or the body ending after `cut` bytes
   * (with a Content-Length that says so, as a registry serving a shorter file does).
   */
  | { kind: "corrupt-body"; flip?: number; cut?: number }
  /** Forward, pass on the registry's headers and `after` bytes of its body, then drop the client's connection. */
  | { kind: "cut-response"; after: number };

export interface ProxiedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** 1 for the first request with this method, 2 for the second, ... */
  readonly nth: number;
}

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly action: FaultAction["kind"];
  status?: number;
  /** The status the registry answered with, once it has (also when the client did not get it). */
  upstreamStatus?: number;
}

export type FaultRule = (request: ProxiedRequest) => FaultAction | undefined;

export interface FaultProxy {
  /** `127.0.0.1:PORT`. */
  host: string;
  url: string;
  /** Every request seen, in order, with the status the client got (if any). */
  readonly log: LoggedRequest[];
  /** Replaces the rule (and resets the per-method counters). */
  setRule(rule: FaultRule): void;
  stop(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 with an ephemeral port, forwarding to `target` (`http://127.0.0.1:PORT`). */
export async function startFaultProxy(target: string, rule: FaultRule = () => undefined): Promise<FaultProxy> {
  const upstream = new URL(target);
  const log: LoggedRequest[] = [];
  let counts = new Map<string, number>();
  let current = rule;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? "GET";
    const nth = (counts.get(method) ?? 0) + 1;
    counts.set(method, nth);
    const action = current({ method, url: request.url ?? "/", headers: request.headers, nth }) ?? { kind: "forward" };
    const entry: LoggedRequest = { method, url: request.url ?? "/", action: action.kind };
    log.push(entry);
    response.on("finish", () => (entry.status = response.statusCode));

    if (action.kind === "respond") {
      request.resume();
      request.on("end", () => {
        response.writeHead(action.status, { "content-type": "application/json", ...action.headers });
        response.end(action.body ?? "");
      });
      return;
    }
    if (action.kind === "delay") await new Promise((resolve) => setTimeout(resolve, action.ms));
    const headers = { ...request.headers, ...(action.kind === "rewrite" ? action.headers : {}) };
    const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method, path: request.url, headers });
    outgoing.on("error", () => response.destroy());

    if (action.kind === "reset-mid-body") {
      let passed = 0;
      const cut = () => {
        outgoing.destroy();
        request.socket.destroy();
      };
      request.on("data", (chunk: Buffer) => {
        if (passed >= action.after) return;
        const room = action.after - passed;
        outgoing.write(room >= chunk.length ? chunk : chunk.subarray(0, room));
        passed += Math.min(room, chunk.length);
        // Let the bytes reach the registry, then cut both sides.
        if (passed >= action.after) setTimeout(cut, 50);
      });
      // A body shorter than `after` is cut at its end: never answered, the client would wait forever.
      request.on("end", () => {
        if (passed < action.after) setTimeout(cut, 50);
      });
      return;
    }

    outgoing.on("response", (answer) => {
      entry.upstreamStatus = answer.statusCode;
      if (action.kind === "drop-response") {
        answer.resume();
        answer.on("end", () => request.socket.destroy());
        return;
      }
      const pass = () => {
        if (action.kind === "corrupt-body") return corrupt(answer, response, action);
        if (action.kind === "cut-response") return cutAfter(answer, response, action.after);
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      };
      if (action.kind === "delay-response") setTimeout(pass, action.ms);
      else pass();
    });
    request.pipe(outgoing);
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    log,
    setRule(next) {
      current = next;
      counts = new Map();
    },
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function corrupt(answer: IncomingMessage, response: ServerResponse, damage: { flip?: number; cut?: number }): void {
  const headers = { ...answer.headers };
  const length = Number(headers["content-length"]);
  if (damage.cut !== undefined && Number.isFinite(length)) headers["content-length"] = String(Math.min(length, damage.cut));
  response.writeHead(answer.statusCode ?? 502, headers);
  let offset = 0;
  answer.on("data", (chunk: Buffer) => {
    const piece = Buffer.from(chunk);
    const { flip, cut } = damage;
    if (flip !== undefined && flip >= offset && flip < offset + piece.length) piece.writeUInt8(piece.readUInt8(flip - offset) ^ 0xff, flip - offset);
    const keep = cut === undefined ? piece.length : Math.max(0, Math.min(piece.length, cut - offset));
    offset += piece.length;
    if (keep > 0) response.write(piece.subarray(0, keep));
  });
  answer.on("end", () => response.end());
}

function cutAfter(answer: IncomingMessage, response: ServerResponse, after: number): void {
  response.writeHead(answer.statusCode ?? 502, answer.headers);
  let passed = 0;
  answer.on("data", (chunk: Buffer) => {
    if (passed >= after) return;
    response.write(chunk.subarray(0, after - passed));
    passed += Math.min(chunk.length, after - passed);
    if (passed >= after) setTimeout(() => response.socket?.destroy(), 20);
  });
  answer.on("end", () => {
    if (passed < after) setTimeout(() => response.socket?.destroy(), 20);
  });
}
