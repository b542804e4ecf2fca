import type { Sha256 } from "./_sha256.ts";

// Cloudflare Workers' non-standard streaming digest: a WritableStream that
// resolves `digest` with the hash once it is closed.
interface DigestStream extends WritableStream<ArrayBufferView> {
  readonly digest: Promise<ArrayBuffer>;
}
type DigestStreamConstructor = new (algorithm: string) => DigestStream;

function digestStreamConstructor(): DigestStreamConstructor | undefined {
  const candidate = (globalThis.crypto as { DigestStream?: DigestStreamConstructor } | undefined)?.DigestStream;
  return typeof candidate === "function" ? candidate : undefined;
}

/** Whether this runtime offers `crypto.DigestStream` (Cloudflare Workers do). */
export function hasDigestStream(): boolean {
  return digestStreamConstructor() !== undefined;
}

/**
 * SHA-256 on `crypto.DigestStream`. Writes are queued without awaiting each:
 * the stream keeps them in order, and `digest` awaits them all by closing it.
 */
export async function createDigestStreamSha256(): Promise<Sha256> {
  const DigestStream = digestStreamConstructor();
  if (!DigestStream) throw new TypeError("crypto.DigestStream is not available in this runtime");
  const stream = new DigestStream("SHA-256");
  const writer = stream.getWriter();
  let failure: unknown;
  const remember = (error: unknown) => {
    failure ??= error;
  };
  return {
    update(data) {
      writer.write(data).catch(remember);
    },
    async digest() {
      await writer.close();
      if (failure !== undefined) throw failure;
      return toHex(new Uint8Array(await stream.digest));
    },
  };
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
