import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { createSha256 } from "../../src/hash/_sha256.ts";
import { createDigestStreamSha256, hasDigestStream } from "../../src/hash/_digest_stream_sha256.ts";
import { tarLikeBytes } from "../support/bytes.ts";

const expected = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

test("createSha256 hashes in pieces what node:crypto hashes whole", async () => {
  const bytes = tarLikeBytes(300_001);
  const sha256 = await createSha256();
  for (let offset = 0; offset < bytes.length; offset += 7_777) sha256.update(bytes.subarray(offset, offset + 7_777));
  assert.equal(await sha256.digest(), expected(bytes));
});

test("each createSha256 is independent of the others", async () => {
  const [a, b] = await Promise.all([createSha256(), createSha256()]);
  a.update(new Uint8Array([1]));
  b.update(new Uint8Array([2]));
  assert.equal(await a.digest(), expected(new Uint8Array([1])));
  assert.equal(await b.digest(), expected(new Uint8Array([2])));
});

// Workers' crypto.DigestStream is not in Node; the workerd suite runs the real
// one. Here a stand-in with its interface checks the adapter's own logic:
// writes queued without awaiting, the hash taken after close.
test("the DigestStream adapter queues writes in order and hashes them all", async () => {
  assert.equal(hasDigestStream(), false);
  class DigestStream extends WritableStream<ArrayBufferView> {
    readonly digest: Promise<ArrayBuffer>;
    constructor(algorithm: string) {
      const hash = createHash(algorithm.replace("-", "").toLowerCase());
      let done!: (value: ArrayBuffer) => void;
      super({
        write: async (chunk) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          hash.update(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        },
        close: () => done(new Uint8Array(hash.digest()).buffer),
      });
      this.digest = new Promise((resolve) => (done = resolve));
    }
  }
  const crypto = globalThis.crypto as unknown as { DigestStream?: unknown };
  crypto.DigestStream = DigestStream;
  try {
    assert.equal(hasDigestStream(), true);
    const bytes = tarLikeBytes(100_000);
    const sha256 = await createDigestStreamSha256();
    for (let offset = 0; offset < bytes.length; offset += 10_000) sha256.update(bytes.subarray(offset, offset + 10_000));
    assert.equal(await sha256.digest(), expected(bytes));
  } finally {
    delete crypto.DigestStream;
  }
});
