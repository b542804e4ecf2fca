// SHA-512 for digest pins, on hash-wasm and, where WebAssembly may not be
// compiled from bytes (Cloudflare Workers), on crypto.DigestStream, which
// this test stands in for as workerd does: compiling throws, DigestStream hashes.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { digestLike, isVerifiableDigest } from "../../src/hash/pinned_digest.ts";
import { sha512Hex } from "../../src/hash/sha512.ts";

const bytes = new TextEncoder().encode("streamlayer pins a manifest by sha512\n");
const expected = createHash("sha512").update(bytes).digest("hex");

test("digestLike hashes in the pin's algorithm; only full sha256 and sha512 can be verified", async () => {
  assert.equal(await digestLike(`sha512:${"0".repeat(128)}`, bytes), `sha512:${expected}`);
  assert.equal(await digestLike(`sha256:${"0".repeat(64)}`, bytes), `sha256:${createHash("sha256").update(bytes).digest("hex")}`);
  for (const digest of [`md5:${"0".repeat(32)}`, `sh256:${"0".repeat(64)}`, `sha512:${"0".repeat(64)}`, `sha256:${"A".repeat(64)}`, "sha256:", 7]) {
    assert.equal(isVerifiableDigest(digest), false, String(digest));
  }
  await assert.rejects(digestLike(`md5:${"0".repeat(32)}`, bytes), TypeError);
});

test("crypto.DigestStream hashes SHA-512 where WebAssembly cannot be compiled", async () => {
  const { compile, instantiate } = WebAssembly;
  const crypto = globalThis.crypto as Crypto & { DigestStream?: unknown };
  const algorithms: string[] = [];
  // hash-wasm keeps a failed compile for good, as a Worker would: this test runs last in its file.
  WebAssembly.compile = () => Promise.reject(new Error("Wasm code generation disallowed by embedder"));
  WebAssembly.instantiate = (() => Promise.reject(new Error("Wasm code generation disallowed by embedder"))) as unknown as typeof WebAssembly.instantiate;
  crypto.DigestStream = class extends WritableStream<ArrayBufferView> {
    readonly digest: Promise<ArrayBuffer>;
    constructor(algorithm: string) {
      algorithms.push(algorithm);
      const hash = createHash(algorithm.replace("-", "").toLowerCase());
      let done: (value: ArrayBuffer) => void = () => {};
      super({ write: (chunk) => void hash.update(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)), close: () => done(new Uint8Array(hash.digest()).buffer) });
      this.digest = new Promise((resolve) => (done = resolve));
    }
  };
  try {
    assert.equal(await sha512Hex(bytes), expected);
    assert.deepEqual(algorithms, ["SHA-512"]);
  } finally {
    WebAssembly.compile = compile;
    WebAssembly.instantiate = instantiate;
    delete crypto.DigestStream;
  }
});
