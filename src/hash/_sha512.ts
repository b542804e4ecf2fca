// Cloudflare Workers' streaming digest, which knows SHA-512 as well as SHA-256.
interface DigestStream extends WritableStream<ArrayBufferView> {
  readonly digest: Promise<ArrayBuffer>;
}
type DigestStreamConstructor = new (algorithm: string) => DigestStream;

/**
 * SHA-512 of bytes in memory (a manifest or a config pinned by `sha512:`, at
 * most a few MiB), as 128 lowercase hex digits: Web Crypto's one-shot digest,
 * else `crypto.DigestStream`. Web Crypto rather than hash-wasm: pins by
 * sha512 are rare, and hash-wasm's SHA-512 module would add 6 KiB gzipped to
 * every browser bundle for them.
 *
 * @throws {Error} when the runtime has neither (a page that is not a secure
 *   context has no `crypto.subtle`): the pin cannot be verified there.
 */
export async function sha512Hex(bytes: Uint8Array): Promise<string> {
  const crypto = globalThis.crypto as (Crypto & { DigestStream?: DigestStreamConstructor }) | undefined;
  // Web Crypto takes no view of a SharedArrayBuffer: such bytes are copied.
  if (crypto?.subtle) return hex(await crypto.subtle.digest("SHA-512", bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice()));
  if (typeof crypto?.DigestStream === "function") return hex(await digestStreamSha512(crypto.DigestStream, bytes));
  throw new Error("Cannot verify a sha512 digest: this runtime has no Web Crypto (a page must be a secure context, served over HTTPS or from localhost)");
}

async function digestStreamSha512(DigestStream: DigestStreamConstructor, bytes: Uint8Array): Promise<ArrayBuffer> {
  const stream = new DigestStream("SHA-512");
  const writer = stream.getWriter();
  await writer.write(bytes);
  await writer.close();
  return stream.digest;
}

function hex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
