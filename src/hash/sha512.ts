import { createSHA512 } from "hash-wasm";

// Cloudflare Workers' streaming digest, which knows SHA-512 as well as SHA-256.
interface DigestStream extends WritableStream<ArrayBufferView> {
  readonly digest: Promise<ArrayBuffer>;
}
type DigestStreamConstructor = new (algorithm: string) => DigestStream;

/**
 * SHA-512 of bytes in memory (a manifest or a config pinned by `sha512:`), as
 * 128 lowercase hex digits: hash-wasm, else `crypto.DigestStream` where
 * WebAssembly may not be compiled from bytes (Cloudflare Workers).
 *
 * @throws {Error} hash-wasm's failure, when neither can run here.
 */
export async function sha512Hex(bytes: Uint8Array): Promise<string> {
  let hasher: Awaited<ReturnType<typeof createSHA512>>;
  try {
    hasher = await createSHA512();
  } catch (error) {
    const DigestStream = (globalThis.crypto as { DigestStream?: DigestStreamConstructor } | undefined)?.DigestStream;
    if (typeof DigestStream !== "function") throw error;
    return digestStreamSha512(DigestStream, bytes);
  }
  hasher.init();
  hasher.update(bytes);
  return hasher.digest("hex");
}

async function digestStreamSha512(DigestStream: DigestStreamConstructor, bytes: Uint8Array): Promise<string> {
  const stream = new DigestStream("SHA-512");
  const writer = stream.getWriter();
  await writer.write(bytes);
  await writer.close();
  return [...new Uint8Array(await stream.digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
