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
  | { kind: "cut-response"; after: number }
  /**
   * A PATCH cut after `after` bytes, answered as distribution v3 does: the
   * client's connection is dropped, but the registry keeps the bytes that
   * came (the proxy sends them on as a PATCH of their own). From then on the
   * session behaves as v3's: a status GET on any of its URLs is answered
   * 204 with `Range` reporting the bytes held, a PATCH or PUT on an older URL
   * reaches the session where it stands, and a DELETE on an older URL is
   * answered 416.
   */
  | { kind: "cut-patch-v3"; after: number };

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

    if (action.kind === "cut-patch-v3") return cutPatchKeepingBytes(request, response, action.after);
    const kept = v3Sessions.get(sessionKey(request.url ?? "/"));
    if (kept !== undefined && action.kind === "forward" && answerAsV3(request, response, kept)) return;

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
      remember(request.url ?? "/", answer);
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

  // Each upload session's newest URL as the registry gave it, and the bytes it said it held.
  const sessions = new Map<string, { newest: string; held: number }>();
  // Sessions that went through a v3-style cut: older URLs lead to the newest.
  const v3Sessions = new Map<string, { newest: string; held: number }>();

  const remember = (from: string, answer: IncomingMessage): void => {
    const location = answer.headers.location;
    if (location === undefined || !location.includes("/blobs/uploads/")) return;
    const newest = new URL(location, upstream).pathname + new URL(location, upstream).search;
    const range = /^(?:bytes=)?0-(\d+)$/.exec(String(answer.headers.range ?? ""));
    const state = { newest, held: range ? Number(range[1]) + 1 : 0 };
    sessions.set(sessionKey(newest), state);
    if (v3Sessions.has(sessionKey(from))) v3Sessions.set(sessionKey(newest), state);
  };

  const cutPatchKeepingBytes = (request: IncomingMessage, response: ServerResponse, after: number): void => {
    const pieces: Buffer[] = [];
    let taken = 0;
    let cut = false;
    const start = Number(/^(\d+)-/.exec(String(request.headers["content-range"] ?? "0-"))?.[1] ?? 0);
    const finish = (): void => {
      if (cut) return;
      cut = true;
      const bytes = Buffer.concat(pieces).subarray(0, after);
      const target = sessions.get(sessionKey(request.url ?? "/"))?.newest ?? request.url ?? "/";
      const headers = { "content-type": "application/octet-stream", "content-length": String(bytes.length), "content-range": `${start}-${start + bytes.length - 1}` };
      const partial = httpRequest({ host: upstream.hostname, port: upstream.port, method: "PATCH", path: target, headers });
      partial.on("response", (answer) => {
        answer.resume();
        remember(target, answer);
        const state = sessions.get(sessionKey(answer.headers.location ?? target));
        if (state) for (const key of [sessionKey(request.url ?? "/"), sessionKey(state.newest)]) v3Sessions.set(key, state);
        // The client loses its connection only once the registry holds the bytes, as v3 would have them.
        request.socket.destroy();
      });
      partial.on("error", () => request.socket.destroy());
      partial.end(bytes);
    };
    request.on("data", (chunk: Buffer) => {
      if (taken >= after) return;
      pieces.push(chunk);
      taken += chunk.length;
      if (taken >= after) finish();
    });
    request.on("end", finish);
    void response;
  };

  // v3's session where it stands, whatever URL of it the client holds; undefined: forward as it is.
  const answerAsV3 = (request: IncomingMessage, response: ServerResponse, state: { newest: string; held: number }): boolean => {
    const url = request.url ?? "/";
    if (request.method === "GET") {
      request.resume();
      response.writeHead(204, { range: `0-${Math.max(state.held - 1, 0)}`, "docker-upload-uuid": sessionKey(url).split("/").pop() ?? "" });
      response.end();
      return true;
    }
    if (url === state.newest) return false;
    if (request.method === "DELETE") {
      request.resume();
      response.writeHead(416, { "content-type": "application/json" });
      response.end(JSON.stringify({ errors: [{ code: "BLOB_UPLOAD_INVALID", message: "upload URL is not the session's newest" }] }));
      return true;
    }
    // PATCH, PUT: to the session where it stands (the digest of a PUT kept).
    const digest = new URL(url, upstream).searchParams.get("digest");
    const target = new URL(state.newest, upstream);
    if (digest !== null) target.searchParams.set("digest", digest);
    request.url = target.pathname + target.search;
    return false;
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

// An upload session by its path (the query holds its state).
function sessionKey(url: string): string {
  return new URL(url, "http://proxy").pathname;
}
