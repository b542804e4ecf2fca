import type { Sha256 } from "./sha256.ts";

// The subset of `node:crypto` used here, typed without Node's types.
interface NodeCrypto {
  createHash(algorithm: "sha256"): { update(data: Uint8Array): unknown; digest(encoding: "hex"): string };
}

interface NodeGlobals {
  process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
  Deno?: unknown;
}

/**
 * Node's `node:crypto`, reached through `process.getBuiltinModule` (Node 20.16
 * and later), which needs no import for a bundler to trip on; `undefined`
 * elsewhere, Deno included (its `node:crypto` was not measured faster there).
 */
function nodeCrypto(): NodeCrypto | undefined {
  const globals = globalThis as NodeGlobals;
  if (typeof globals.process?.versions?.node !== "string" || globals.Deno !== undefined) return undefined;
  const crypto = globals.process.getBuiltinModule?.("node:crypto") as Partial<NodeCrypto> | undefined;
  return typeof crypto?.createHash === "function" ? (crypto as NodeCrypto) : undefined;
}

/** Whether Node's own SHA-256 can be used here. */
export function hasNodeCrypto(): boolean {
  return nodeCrypto() !== undefined;
}

/**
 * SHA-256 on Node's OpenSSL: about 4× hash-wasm on the same machine (it uses
 * the CPU's SHA instructions), which matters on the main thread that also
 * feeds the compressor.
 */
export function createNodeCryptoSha256(): Promise<Sha256> {
  const crypto = nodeCrypto();
  if (!crypto) return Promise.reject(new TypeError("node:crypto is not available in this runtime"));
  const hash = crypto.createHash("sha256");
  return Promise.resolve({
    update(data) {
      hash.update(data);
    },
    digest() {
      return Promise.resolve(hash.digest("hex"));
    },
  });
}
