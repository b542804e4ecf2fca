import { createTarDecoder, type ParsedTarEntry } from "modern-tar";
import { InvalidTarError } from "./errors.ts";

// What modern-tar's strict decoder throws for a malformed archive, as opposed
// to the source's own failure (a digest mismatch, a network error), which
// passes through as it is.
const MALFORMED = new Set([
  "Invalid tar number.",
  "TAR number too large",
  "Invalid tar header checksum.",
  "Tar archive is truncated.",
  "Invalid tar header.",
  "Tar metadata entry exceeds maximum size.",
  "Too many global attributes.",
  "Invalid EOF.",
]);

/** Where the entries come from, for errors, and what stops the reading. */
export interface TarEntriesOptions {
  /** The layer's position in the image, for errors. */
  readonly layer?: number;
  readonly signal?: AbortSignal;
}

/**
 * Calls `visit` with each entry of the tar `source`, in order, one at a time:
 * PAX records (`path`, `linkpath`, long sizes, global headers), GNU long names
 * and the USTAR prefix are applied to the header by modern-tar's streaming
 * decoder, in its strict mode (checksums checked; an archive cut short or
 * followed by anything but zeros is an error; no bytes at all is an empty
 * archive, as for Go's archive/tar). `visit` must read the entry's
 * body to its end or cancel it: the next entry comes only then, which is what
 * keeps memory to the decoder's buffer (at most 1 MiB) and passes
 * backpressure to the source.
 *
 * @throws {InvalidTarError} when the bytes are not a well-formed tar (also
 * when `visit` saw it, reading a body that ends too soon).
 * @throws the source's own error, or the signal's reason, as they are.
 */
export async function forEachTarEntry(
  source: ReadableStream<Uint8Array>,
  visit: (entry: ParsedTarEntry) => Promise<void>,
  options: TarEntriesOptions = {},
): Promise<void> {
  let bytes = 0;
  const counted = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.length;
        controller.enqueue(chunk);
      },
    }),
    { signal: options.signal },
  );
  const entries = counted.pipeThrough(createTarDecoder({ strict: true })).getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<ParsedTarEntry>;
      try {
        next = await entries.read();
      } catch (error) {
        // No bytes at all is an empty archive, as Go's archive/tar reads it; the strict decoder calls it truncated.
        if (bytes === 0 && error instanceof Error && error.message === "Tar archive is truncated.") return;
        throw typed(error, options.layer);
      }
      if (next.done) return;
      await visit(next.value).catch((error: unknown) => Promise.reject(typed(error, options.layer)));
    }
  } catch (error) {
    await entries.cancel(error).catch(() => {});
    throw error;
  }
}

function typed(error: unknown, layer: number | undefined): unknown {
  if (error instanceof Error && error.constructor === Error && MALFORMED.has(error.message)) {
    return new InvalidTarError(error.message.replace(/\.$/, ""), layer, { cause: error });
  }
  return error;
}
