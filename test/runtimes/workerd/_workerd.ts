// Starts the Worker of worker.ts in workerd (through miniflare), bundled with
// esbuild the way a Workers project bundles it. Every outbound fetch of the
// Worker goes to the registry: workerd refuses loopback addresses for its
// default internet service, so the registry is its outbound service instead.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { Miniflare } from "miniflare";
import { createServer } from "node:net";
import { WebSocket } from "undici"; // Node 20 has no WebSocket global
import { PORTABLE_TSCONFIG } from "../../support/portable_sources.ts";

export interface RunningWorker {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The workerd process's resident memory in bytes, from /proc. */
  residentBytes(): number;
  /**
   * The Worker isolate's memory in bytes, from V8 through the inspector: the
   * JavaScript heap plus the ArrayBuffers' backing stores, which is what a
   * Worker's 128 MiB limit is about. Collects garbage first, so that it
   * measures what is held. Rejects when the isolate does not answer in 2 s
   * (it may only answer while it handles a request).
   */
  isolateBytes(): Promise<number>;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const ZSTD_WASM = join(here, "../../../src/compress/zstd/zstd.wasm");

// What wrangler does for the published package: `#zstd-wasm` by its `workerd`
// condition (the sources' tsconfig paths would give the fetching loader), and
// zstd.wasm left as an import of a module of the Worker's own.
const zstdWasmModule: Plugin = {
  name: "zstd-wasm-module",
  setup(build) {
    build.onResolve({ filter: /^#zstd-wasm$/ }, () => ({ path: join(here, "../../../src/compress/zstd/_wasm_workerd.ts") }));
    build.onResolve({ filter: /\/zstd\.wasm$/ }, () => ({ path: "./zstd.wasm", external: true }));
  },
};

/** Starts `entry` (a file of this folder, worker.ts unless told) as the Worker. */
export async function startWorker(registryHost: string, entry = "worker.ts"): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), "streamlayer-workerd-"));
  const script = join(dir, "worker.js");
  await build({
    entryPoints: [join(here, entry)],
    outfile: script,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    tsconfig: PORTABLE_TSCONFIG,
    target: "es2022",
    logLevel: "warning",
    plugins: [zstdWasmModule],
  });
  const zstd = existsSync(ZSTD_WASM); // built by npm run build:zstd
  if (zstd) copyFileSync(ZSTD_WASM, join(dir, "zstd.wasm"));
  const before = workerdChildren();
  const inspectorPort = await freePort();
  const miniflare = new Miniflare({
    inspectorPort,
    modulesRoot: dir,
    modules: [{ type: "ESModule", path: script }, ...(zstd ? [{ type: "CompiledWasm" as const, path: join(dir, "zstd.wasm") }] : [])],
    compatibilityDate: "2025-01-01",
    outboundService: { external: { address: registryHost, http: {} } },
  });
  await miniflare.ready;
  const pid = workerdChildren().find((candidate) => !before.includes(candidate));
  if (pid === undefined) throw new Error("Cannot find the workerd process that miniflare started");
  const inspector = await connectInspector(inspectorPort);
  return {
    fetch: async (path, init) => (await miniflare.dispatchFetch(`http://worker${path}`, init as never)) as unknown as Response,
    residentBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) * 1024,
    isolateBytes: async () => {
      await inspector.call("HeapProfiler.collectGarbage"); // what is held, not garbage not yet collected
      const usage = (await inspector.call("Runtime.getHeapUsage")) as { totalSize: number; backingStorageSize?: number };
      return usage.totalSize + (usage.backingStorageSize ?? 0);
    },
    stop: async () => {
      inspector.close();
      await miniflare.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function workerdChildren(): number[] {
  const children = readdirSync(`/proc/${process.pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number));
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
    } catch {
      return false;
    }
  });
}


interface Inspector {
  call(method: string, params?: object): Promise<unknown>;
  close(): void;
}

/** Connects to the user Worker's isolate through workerd's inspector (Chrome DevTools Protocol). */
async function connectInspector(port: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { title: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((candidate) => candidate.title.endsWith("core:user:"));
  if (!target) throw new Error(`No user Worker among the inspector's targets: ${targets.map((t) => t.title).join(", ")}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`Cannot connect to workerd's inspector on port ${port}`)), { once: true });
  });
  let lastId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : waiting.get(message.id);
    if (!waiter) return;
    waiting.delete(message.id!);
    if (message.error) waiter.reject(new Error(`Inspector: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  // workerd answers the inspector from the isolate's thread, which may sit
  // idle between requests: a call that gets no answer in time fails rather
  // than waiting for the next request.
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++lastId;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`Inspector: no answer to ${method}`));
      }, 2000);
      const settle = { resolve: (value: unknown) => (clearTimeout(timer), resolve(value)), reject: (error: Error) => (clearTimeout(timer), reject(error)) };
      waiting.set(id, settle);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call("Runtime.enable");
  await call("HeapProfiler.enable");
  return { call, close: () => socket.close() };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
