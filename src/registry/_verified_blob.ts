import { DigestMismatchError } from "../oci/errors.ts";
import { digestHasherFor, type DigestHasher } from "./_digest_hasher.ts";
import { SizeMismatchError } from "./errors.ts";

/** What a blob must be: its digest, and its size when the descriptor gives one. */
export interface ExpectedBlob {
  readonly digest: string;
  readonly size?: number;
}

/**
 * The bytes of `body`, checked against `expected` as they stream, the way
 * go-containerregistry's `verify.ReadCloser` does: the size as the bytes come
 * (a body longer than the descriptor is cut at its first extra byte, so an
 * endless body ends), and the digest, incrementally, at the end. On a mismatch
 * the stream errors ({@link SizeMismatchError}, {@link DigestMismatchError})
 * where it would have closed: no consumer ever sees a clean end of wrong bytes.
 * Memory stays at one chunk.
 *
 * @param where The request, for the error message (`GET <url>`).
 */
export function verifiedBlob(body: ReadableStream<Uint8Array>, expected: ExpectedBlob, where: string): ReadableStream<Uint8Array> {
  let hasher: DigestHasher;
  let received = 0;
  const { digest, size } = expected;
  const check = new TransformStream<Uint8Array, Uint8Array>(
    {
      async start() {
        hasher = await digestHasherFor(digest);
      },
      transform(chunk, controller) {
        if (size !== undefined && received + chunk.byteLength > size) {
          throw new SizeMismatchError(digest, size, size + 1, where);
        }
        received += chunk.byteLength;
        hasher.update(chunk);
        controller.enqueue(chunk);
      },
      async flush() {
        if (size !== undefined && received !== size) throw new SizeMismatchError(digest, size, received, where);
        const actual = await hasher.digest();
        if (actual !== digest) throw new DigestMismatchError(digest, actual, where);
      },
    },
    undefined,
    { highWaterMark: 0 },
  );
  return body.pipeThrough(check);
}
