import { isCutShort } from "./_timeout_fetch.ts";

/** How many times a blob body cut short is taken up again. */
export const MAX_RESUMES = 3;

/**
 * A blob's body that, when the connection is lost in its middle (a body cut
 * short: a temporary error, see {@link isCutShort}), asks for the rest and
 * goes on where it stood: `Range: bytes=<received>-<size - 1>` (open-ended when the size is not known), answered 206 from that
 * offset, or a 200 with the whole blob whose first bytes are skipped (a
 * registry without ranges). The consumer sees one stream; the blob's check
 * (digest and size) wraps the whole of it, so a rest that does not fit fails
 * there. At most {@link MAX_RESUMES} times; then the cut stands.
 *
 * @param reopen Asks for the blob from an offset; the answer is 206 or 200 with a body.
 */
export function resumingBody(first: ReadableStream<Uint8Array>, reopen: (from: number) => Promise<Response>): ReadableStream<Uint8Array> {
  let reader = first.getReader();
  let received = 0;
  let resumes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          if (!isCutShort(error) || resumes >= MAX_RESUMES) throw error;
          resumes++;
          reader = await restFrom(received, reopen, error);
          continue;
        }
        if (next.done) return controller.close();
        received += next.value.byteLength;
        return controller.enqueue(next.value);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

async function restFrom(offset: number, reopen: (from: number) => Promise<Response>, cut: unknown): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await reopen(offset).catch(() => Promise.reject(cut));
  const body = response.body;
  const range = /^bytes (\d+)-/.exec(response.headers.get("content-range") ?? "");
  if (body !== null && response.status === 206 && Number(range?.[1]) === offset) return body.getReader();
  if (body !== null && response.status === 200) return skip(body, offset).getReader();
  await body?.cancel().catch(() => {});
  throw cut;
}

// The whole blob again, less the bytes already handed on.
function skip(body: ReadableStream<Uint8Array>, count: number): ReadableStream<Uint8Array> {
  let left = count;
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (left >= chunk.byteLength) {
        left -= chunk.byteLength;
        return;
      }
      controller.enqueue(left > 0 ? chunk.subarray(left) : chunk);
      left = 0;
    },
  }));
}
