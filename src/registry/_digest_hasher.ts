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
 * streamlayer computes it; SHA-512 on `crypto.DigestStream` where there is
 * one (workerd), else in plain JavaScript (about 10 MB/s), loaded only when
 * a sha512 digest is met: pins by sha512 are rare, and hash-wasm's SHA-512
 * would ride along with its SHA-256 in every page bundle.
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
  const DigestStream = (globalThis.crypto as { DigestStream?: DigestStreamConstructor } | undefined)?.DigestStream;
  if (typeof DigestStream !== "function") {
    // A module of its own, loaded on demand: nothing of it in a page's bundle up front.
    const { createSha512Js } = await import("./_sha512_js.ts");
    return createSha512Js();
  }
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
