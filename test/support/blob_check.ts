// "The blob is in the registry", asked of the registry itself: HEAD for its
// existence and size, GET for bytes whose SHA-256 (WebCrypto) is the digest.
// Web-platform globals only: the conformance suite runs it in every runtime.

/** The SHA-256 of `bytes` as an OCI digest, from WebCrypto. */
export async function webCryptoDigest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()));
  return `sha256:${[...hash].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export interface CheckedBlob {
  readonly bytes: Uint8Array;
  /** The HEAD answer's headers. */
  readonly headers: Headers;
}

/**
 * Checks that the registry at `origin` (`http://host:port`) holds the blob:
 * HEAD is 200 with its size, GET is 200 with `size` bytes whose SHA-256 is
 * `digest`. Throws an Error naming the first difference.
 */
export async function fetchCheckedBlob(origin: string, repository: string, digest: string, size: number, headers: Record<string, string> = {}): Promise<CheckedBlob> {
  const url = `${origin}/v2/${repository}/blobs/${digest}`;
  const head = await fetch(url, { method: "HEAD", headers });
  expect(head.status, 200, `HEAD ${url}`);
  expect(head.headers.get("content-length"), String(size), "HEAD Content-Length");
  const get = await fetch(url, { headers });
  expect(get.status, 200, `GET ${url}`);
  const bytes = new Uint8Array(await get.arrayBuffer());
  expect(bytes.length, size, "GET length");
  expect(await webCryptoDigest(bytes), digest, "SHA-256 of the GET body");
  return { bytes, headers: head.headers };
}

function expect(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}
