import type { ZlibModule } from "../compress/_zlib_module.ts";
import type { Sha256 } from "../hash/_sha256.ts";

/**
 * What a runtime adds to the web platform, handed to the portable core by the
 * module that package.json's `#runtime` import picks for that runtime (its
 * `node`, `deno` or `default` condition), so that the core itself never probes
 * for a runtime or imports one by a computed name.
 */
export interface RuntimeAdapter {
  /**
   * Node (or a runtime that passes for it, such as Bun): its
   * `CompressionStream` reads ahead without limit, and its zlib has a thread
   * pool that compresses blocks in parallel.
   */
  readonly isNode: boolean;
  /** The runtime's `node:zlib`, where it has one. */
  readonly zlib?: ZlibModule;
  /** A native SHA-256, where it is faster than hash-wasm. */
  readonly createSha256?: () => Sha256;
  /** How many cores this process may use, where the platform does not say (`navigator.hardwareConcurrency`). */
  readonly availableCores?: () => number;
}
