// SHA-512 for digest pins, on Web Crypto, else on crypto.DigestStream (which
// this test stands in for), else refused.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { digestLike, isVerifiableDigest } from "../../src/hash/_pinned_digest.ts";
import { sha512Hex } from "../../src/hash/_sha512.ts";

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

test("crypto.DigestStream hashes SHA-512 where Web Crypto's subtle is missing", async () => {
  const algorithms: string[] = [];
  const DigestStream = class extends WritableStream<ArrayBufferView> {
    readonly digest: Promise<ArrayBuffer>;
    constructor(algorithm: string) {
      algorithms.push(algorithm);
      const hash = createHash(algorithm.replace("-", "").toLowerCase());
      let done: (value: ArrayBuffer) => void = () => {};
      super({ write: (chunk) => void hash.update(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)), close: () => done(new Uint8Array(hash.digest()).buffer) });
      this.digest = new Promise((resolve) => (done = resolve));
    }
  };
  await withCrypto({ DigestStream }, async () => {
    assert.equal(await sha512Hex(bytes), expected);
    assert.deepEqual(algorithms, ["SHA-512"]);
  });
});

test("without Web Crypto a sha512 pin is refused, not taken on trust", async () => {
  await withCrypto({}, () => assert.rejects(sha512Hex(bytes), /Cannot verify a sha512 digest: this runtime has no Web Crypto/));
});

// Node's globalThis.crypto is a getter: replace it for the length of `run`.
async function withCrypto(standIn: object, run: () => Promise<void>): Promise<void> {
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto")!;
  Object.defineProperty(globalThis, "crypto", { value: standIn, configurable: true });
  try {
    await run();
  } finally {
    Object.defineProperty(globalThis, "crypto", original);
  }
}
