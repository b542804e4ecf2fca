// The one place that looks at which runtime this is. The runtime's own
// abilities come from the adapter that package.json's `#runtime` import picks
// (src/node/ for Node and Deno, src/runtime/_portable.ts elsewhere); what is
// left to detect, Cloudflare Workers, is detected here.
import { runtime } from "#runtime";
import type { ZlibModule } from "./_zlib_module.ts";

/**
 * Whether this is Node.js (or a runtime that passes for it, such as Bun).
 *
 * Node's `CompressionStream` reads its input ahead without limit, so a slow
 * consumer makes it buffer the whole layer; streamlayer avoids it there.
 */
export function isNodeLike(): boolean {
  return runtime.isNode;
}

/**
 * Whether this runtime's `CompressionStream` takes input without limit while
 * nobody reads its output, so that a slow consumer (an upload) makes it hold
 * the whole layer: Node's, and workerd's. Measured with workerd 1.20260426:
 * 64 writes of 1 MiB all accepted with no reader; a 320 MiB layer pushed
 * through it grew the Worker by 314 MiB, against a plateau of about 130 MiB
 * for any size with fflate. Workers name themselves in `navigator.userAgent`,
 * and a Worker bundled without the `workerd` condition is still one.
 */
export function hasUnboundedCompressionStream(): boolean {
  const userAgent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  return runtime.isNode || userAgent === "Cloudflare-Workers";
}

/** The runtime's `node:zlib`, or `undefined` where there is none (browsers, Workers). */
export function loadZlib(): Promise<ZlibModule | undefined> {
  return Promise.resolve(runtime.zlib);
}

/**
 * How many cores this process may use: the platform's
 * `navigator.hardwareConcurrency`, else what the runtime's adapter says (Node's
 * `os.availableParallelism()`), else 1.
 */
export function availableCores(): number {
  const reported = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator?.hardwareConcurrency;
  if (typeof reported === "number" && reported >= 1) return reported;
  const parallelism = runtime.availableCores?.();
  return typeof parallelism === "number" && parallelism >= 1 ? parallelism : 1;
}
