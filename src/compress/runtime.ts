// The one place that looks at which runtime this is. Everything else is handed
// what it needs; detection is kept here so that it is done the same way for all.

/** The subset of `node:zlib` that streamlayer uses, typed without Node's types. */
export interface ZlibModule {
  createGzip(options: { level?: number; chunkSize?: number }): ZlibGzip;
  deflateRaw(
    data: Uint8Array,
    options: { level?: number; finishFlush?: number; chunkSize?: number; dictionary?: Uint8Array },
    callback: (error: Error | null, output: Uint8Array) => void,
  ): void;
  /** From Node 20.15. */
  crc32?: (data: Uint8Array, value?: number) => number;
  readonly constants: { readonly Z_SYNC_FLUSH: number };
}

/** The subset of a `node:zlib` Gzip stream that streamlayer uses. */
export interface ZlibGzip {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  destroy(): void;
  on(event: "data", listener: (chunk: Uint8Array) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  once(event: "end" | "close", listener: () => void): this;
  once(event: "error", listener: (error: Error) => void): this;
}

interface RuntimeGlobals {
  process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
  Deno?: unknown;
  navigator?: { hardwareConcurrency?: unknown };
}

/**
 * Whether this is Node.js (or a runtime that passes for it, such as Bun).
 *
 * Node's `CompressionStream` reads its input ahead without limit, so a slow
 * consumer makes it buffer the whole layer; streamlayer avoids it there.
 */
export function isNodeLike(): boolean {
  const globals = globalThis as RuntimeGlobals;
  return typeof globals.process?.versions?.node === "string" && globals.Deno === undefined;
}

/**
 * Whether this runtime's `CompressionStream` takes input without limit while
 * nobody reads its output, so that a slow consumer (an upload) makes it hold
 * the whole layer: Node's, and workerd's. Measured with workerd 1.20260426:
 * 64 writes of 1 MiB all accepted with no reader; a 320 MiB layer pushed
 * through it grew the Worker by 314 MiB, against a plateau of about 130 MiB
 * for any size with fflate. Workers name themselves in `navigator.userAgent`.
 */
export function hasUnboundedCompressionStream(): boolean {
  const userAgent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  return isNodeLike() || userAgent === "Cloudflare-Workers";
}

// A specifier in a variable keeps bundlers for browsers from trying to resolve it.
const ZLIB_SPECIFIER = "node:zlib";

let zlibModule: Promise<ZlibModule | undefined> | undefined;

/** The runtime's `node:zlib`, or `undefined` where there is none (browsers, Workers without Node compatibility). */
export function loadZlib(): Promise<ZlibModule | undefined> {
  zlibModule ??= import(ZLIB_SPECIFIER).then(
    (module: unknown) => (isZlibModule(module) ? module : undefined),
    () => undefined,
  );
  return zlibModule;
}

function isZlibModule(module: unknown): module is ZlibModule {
  return typeof (module as Partial<ZlibModule> | null)?.createGzip === "function";
}

/**
 * How many cores this process may use: the platform's
 * `navigator.hardwareConcurrency`, else Node's `os.availableParallelism()`
 * (read through `process.getBuiltinModule`, Node 20.16 and later, which no
 * bundler follows), else 1.
 */
export function availableCores(): number {
  const globals = globalThis as RuntimeGlobals;
  const reported = globals.navigator?.hardwareConcurrency;
  if (typeof reported === "number" && reported >= 1) return reported;
  const os = globals.process?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  const parallelism = os?.availableParallelism?.();
  return typeof parallelism === "number" && parallelism >= 1 ? parallelism : 1;
}
