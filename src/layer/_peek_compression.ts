const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * Whether `stream` starts with gzip's magic bytes (or zstd's), and the same
 * stream again, whole: a `.tar.gz` or a `.tar.zst` is told by its bytes, not
 * its name (stdin has none). Used by the CLI and by pushInWorker. The stream
 * given back reads nothing ahead (high-water mark 0).
 */
export async function peekCompression(stream: ReadableStream<Uint8Array>): Promise<{ gzip: boolean; zstd: boolean; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < ZSTD_MAGIC.length && !done) {
    const result = await reader.read();
    if (result.done) done = true;
    else if (result.value.length > 0) {
      head.push(result.value);
      length += result.value.length;
    }
  }
  const first = new Uint8Array(length);
  let offset = 0;
  for (const piece of head) {
    first.set(piece, offset);
    offset += piece.length;
  }
  const gzip = GZIP_MAGIC.every((byte, i) => first[i] === byte);
  const zstd = ZSTD_MAGIC.every((byte, i) => first[i] === byte);
  return { gzip, zstd, stream: replayed(length > 0 ? [first] : [], reader, done) };
}

/**
 * The stream a peek was taken from, whole again: the chunks already read,
 * then the rest from `reader` (nothing once `ended`), reading nothing ahead
 * (high-water mark 0) so that a read-once source is still read at the
 * consumer's pace.
 */
export function replayed(read: Uint8Array[], reader: ReadableStreamDefaultReader<Uint8Array>, ended: boolean): ReadableStream<Uint8Array> {
  const pending = [...read];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = pending.shift();
      if (next !== undefined) return controller.enqueue(next);
      if (ended) return controller.close();
      const result = await reader.read();
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
