// Bodies the registry controls are read with limits, as containerd and
// go-containerregistry do: a hostile or broken registry must not be able to
// make the client hold hundreds of megabytes for an error message, nor hold
// it for ever by trickling one.
import { readWholeWithinTimeout } from "./_timeout_fetch.ts";

/** The most of an error body read for its `errors` array; the rest is cancelled unread. */
export const MAX_ERROR_BODY = 64 * 1024;
/** The largest token answer taken. */
export const MAX_TOKEN_BODY = 1024 * 1024;
/** The largest manifest or config taken, as containerd and go-containerregistry allow. */
export const MAX_MANIFEST_BODY = 4 * 1024 * 1024;

/** What {@link readBounded} read. */
export interface BoundedBody {
  /** At most `limit` bytes. */
  readonly bytes: Uint8Array;
  /** True when the body had more than `limit` bytes; the rest was cancelled unread. */
  readonly truncated: boolean;
}

/**
 * Reads at most `limit` bytes of a response's body, then cancels the rest.
 * A `Content-Length` over the limit cancels at once, with nothing read, when
 * `whole` says that a truncated body is of no use. The read gets the
 * transport's `timeout` in all, not per piece.
 *
 * @throws {TimeoutError} when the body does not arrive within the transport's timeout.
 */
export async function readBounded(response: Response, limit: number, whole = false): Promise<BoundedBody> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), truncated: false };
  readWholeWithinTimeout(response);
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  if (whole && announced > limit) {
    await body.cancel().catch(() => {});
    return { bytes: new Uint8Array(0), truncated: true };
  }
  const reader = body.getReader();
  const pieces: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: concat(pieces, length), truncated: false };
      if (length + value.byteLength > limit) {
        pieces.push(value.subarray(0, limit - length));
        length = limit;
        await reader.cancel().catch(() => {});
        return { bytes: concat(pieces, length), truncated: true };
      }
      pieces.push(value);
      length += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Ends a response whose body is of no interest (a 202's, a 201's): read to its
 * end when small, so that the connection is reused and browsers do not log a
 * cancelled request, else cancelled.
 */
export async function discardBody(response: Response): Promise<void> {
  try {
    await readBounded(response, MAX_ERROR_BODY);
  } catch {
    // A body that fails while being thrown away changes nothing.
  }
}

/** The start of an error body as text: at most {@link MAX_ERROR_BODY} bytes. */
export async function readErrorText(response: Response): Promise<string> {
  const { bytes } = await readBounded(response, MAX_ERROR_BODY);
  return new TextDecoder().decode(bytes);
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1 && pieces[0]!.byteLength === length) return pieces[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.byteLength;
  }
  return out;
}

/**
 * A JSON object body of at most `limit` bytes; `{}` when it is not JSON or not
 * an object; undefined when it is larger than `limit` (nothing past it is read).
 */
export async function readJsonObject(response: Response, limit: number): Promise<Record<string, unknown> | undefined> {
  const { bytes, truncated } = await readBounded(response, limit, true);
  if (truncated) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
