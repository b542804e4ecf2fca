import { createSha256 } from "../hash/_sha256.ts";

/** An incremental hash of one digest algorithm, finished as an OCI digest (`sha256:<hex>`). */
export interface DigestHasher {
  /** Adds bytes; they must not be changed afterwards. */
  update(bytes: Uint8Array): void;
  /** The digest of all the bytes added, as `<algorithm>:<hex>`. Call once. */
  digest(): Promise<string>;
}

// Cloudflare Workers' streaming digest, which knows SHA-512 too.
interface DigestStream extends WritableStream<ArrayBufferView> {
  readonly digest: Promise<ArrayBuffer>;
}
type DigestStreamConstructor = new (algorithm: string) => DigestStream;

/**
 * An incremental hasher for the algorithm of `digest`: SHA-256 as the rest of
 * streamlayer computes it, SHA-512 on hash-wasm (loaded only when a sha512
 * digest is met: it would weigh on every page bundle for a rare pin), else on
 * `crypto.DigestStream` where WebAssembly cannot be compiled (workerd).
 *
 * @throws {TypeError} for an algorithm other than sha256 and sha512.
 */
export async function digestHasherFor(digest: string): Promise<DigestHasher> {
  const algorithm = digest.slice(0, digest.indexOf(":"));
  if (algorithm === "sha256") return prefixed("sha256", await createSha256());
  if (algorithm === "sha512") return prefixed("sha512", await createSha512());
  throw new TypeError(`Cannot verify the digest "${digest}": only sha256 and sha512 are checked`);
}

function prefixed(algorithm: string, hash: { update(bytes: Uint8Array): void; digest(): Promise<string> }): DigestHasher {
  return {
    update: (bytes) => hash.update(bytes),
    digest: async () => `${algorithm}:${await hash.digest()}`,
  };
}

async function createSha512(): Promise<{ update(bytes: Uint8Array): void; digest(): Promise<string> }> {
  try {
    const { createSHA512 } = await import("hash-wasm");
    const hasher = await createSHA512();
    hasher.init();
    return { update: (bytes) => void hasher.update(bytes), digest: () => Promise.resolve(hasher.digest("hex")) };
  } catch (error) {
    const DigestStream = (globalThis.crypto as { DigestStream?: DigestStreamConstructor } | undefined)?.DigestStream;
    if (typeof DigestStream !== "function") throw error;
    const stream = new DigestStream("SHA-512");
    const writer = stream.getWriter();
    let failure: unknown;
    return {
      update: (bytes) => void writer.write(bytes).catch((cause: unknown) => (failure ??= cause)),
      async digest() {
        await writer.close();
        if (failure !== undefined) throw failure;
        return [...new Uint8Array(await stream.digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
      },
    };
  }
}
