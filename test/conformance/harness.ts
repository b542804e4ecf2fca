// The conformance suite's own small harness: case and context types, asserts
// and byte helpers that use web-platform globals only, so the same files run
// in Chromium, Deno, workerd and Node.
import type * as Library from "../../src/index.ts";
import { webCryptoDigest } from "../support/blob_check.ts";
import { collect, xorshift32 } from "../support/bytes.ts";

/** The library under test: the TypeScript sources, a bundle of them, or the built package. */
export type StreamLayerLibrary = typeof Library;

/** What a runtime's runner tells the suite. */
export interface ConformanceContext {
  /** The library under test. */
  readonly lib: StreamLayerLibrary;
  /** A short runtime name, used in repository names so runs do not collide. */
  readonly runtime: string;
  /** `host:port` of the real registry as this runtime reaches it (directly or through a same-origin proxy). */
  readonly registry: string;
  /** Whether this runtime has `node:zlib` (Node, Deno). */
  readonly hasZlib: boolean;
  /** Whether `fetch` can stream a request body to the registry here (not Chromium over HTTP/1.1). */
  readonly streamsRequestBodies: boolean;
}

/** One case of the suite. */
export interface ConformanceCase {
  readonly name: string;
  run(context: ConformanceContext): Promise<void>;
}

/** A failed expectation. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

export function assertBytesEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assertEqual(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) throw new AssertionError(`${what}: bytes differ at offset ${i}`);
  }
}

/** Checks that `error` is an error named `name` (by name, so it works across realms) and returns it. */
export function assertErrorNamed(error: unknown, name: string, what: string): Error & { code?: string } {
  if (!(error instanceof Error) && (typeof error !== "object" || error === null)) {
    throw new AssertionError(`${what}: expected ${name}, got ${String(error)}`);
  }
  const actual = (error as Error).name;
  if (actual !== name) throw new AssertionError(`${what}: expected ${name}, got ${actual}: ${(error as Error).message}`);
  return error as Error & { code?: string };
}

export function assertThrows(fn: () => unknown, name: string, what: string): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return assertErrorNamed(error, name, what);
  }
  throw new AssertionError(`${what}: expected ${name} to be thrown, nothing was`);
}

export async function assertRejects(promise: Promise<unknown>, name: string, what: string): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return assertErrorNamed(error, name, what);
  }
  throw new AssertionError(`${what}: expected a rejection with ${name}, it resolved`);
}

// `sha256:<hex>` by the platform's WebCrypto (independent of the library's
// hasher), and a stream read to its end: the shared helpers, for every runtime.
export { collect, webCryptoDigest };

/** The bytes the platform's `DecompressionStream` gives back for a gzip. */
export async function gunzipBytes(gzip: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([gzip.slice()]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A deterministic pseudo-random generator (xorshift32), so every runtime draws the same chunkings. */
export function random(seed: number): (max: number) => number {
  const next = xorshift32(seed);
  return (max) => next() % max;
}

